#!/usr/bin/env node
/**
 * `npm run openapi` (node tools/openapi/export.js [app ...]): writes
 * docs/reference/openapi/<app>.json for every HTTP app whose root module
 * exists (agent, gateway, player, admin), or for the apps named. The
 * snapshot test (tools/openapi/openapi.spec.ts) fails when a committed file
 * differs from what this would write.
 */
require('./register');
const { mkdirSync, writeFileSync } = require('node:fs');
const { relative } = require('node:path');
const {
  availableApps,
  buildDocument,
  HTTP_APPS,
  OUTPUT_DIR,
  outputPath,
  ROOT,
  serialize,
} = require('./generate.ts');

async function main() {
  const requested = process.argv.slice(2);
  for (const app of requested) {
    if (!HTTP_APPS.includes(app))
      throw new Error(`unknown HTTP app "${app}" (one of ${HTTP_APPS.join(', ')})`);
  }
  const apps = requested.length > 0 ? requested : availableApps();
  mkdirSync(OUTPUT_DIR, { recursive: true });
  for (const app of apps) {
    const document = await buildDocument(app);
    const file = outputPath(app);
    writeFileSync(file, serialize(document));
    process.stdout.write(`${relative(ROOT, file)}: ${Object.keys(document.paths).length} paths\n`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`openapi export failed: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);
