/**
 * Lets plain Node load the project's TypeScript (tools/openapi/export.js):
 * a require hook that compiles .ts with @swc/core using the same options as
 * .swcrc / jest (legacy decorators with metadata, CommonJS), and the
 * tsconfig `@app/<lib>` path aliases through tsconfig-paths. Nest 12 itself
 * is ES modules only; Node >= 20.19 loads it through require().
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { transformSync } = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');

const root = join(__dirname, '..', '..');
const swcrc = JSON.parse(readFileSync(join(root, '.swcrc'), 'utf8'));

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    jsc: swcrc.jsc,
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
    swcrc: false,
  });
  module._compile(code, filename);
};

const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8'));
tsconfigPaths.register({ baseUrl: root, paths: tsconfig.compilerOptions.paths, addMatchAll: false });
