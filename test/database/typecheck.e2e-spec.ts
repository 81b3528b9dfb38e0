/**
 * "A query without the brand id does not compile" (STYLE.md, ADR-009),
 * checked with the TypeScript compiler and the root tsconfig options:
 *  1. test/fixtures/typecheck/unscoped-query.ts compiles with zero
 *     diagnostics, so every `@ts-expect-error` there is used (an unused one
 *     is error TS2578: loosened types fail this test);
 *  2. the same file with the directives removed yields exactly one error per
 *     directive, on the line after it, so each directive guards a real error.
 */
import * as path from 'node:path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/typecheck/unscoped-query.ts');

function compilerOptions(): ts.CompilerOptions {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, ROOT, undefined, configPath);
  return { ...parsed.options, noEmit: true };
}

function diagnosticsFor(replaceFixture?: (text: string) => string): ts.Diagnostic[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options, true);
  if (replaceFixture) {
    const original = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      if (path.resolve(fileName) === FIXTURE) {
        const text = replaceFixture(ts.sys.readFile(FIXTURE)!);
        return ts.createSourceFile(fileName, text, languageVersion, true);
      }
      return original(fileName, languageVersion, onError, shouldCreate);
    };
  }
  const program = ts.createProgram({ rootNames: [FIXTURE], options, host });
  return [
    ...program.getSyntacticDiagnostics(),
    ...program.getSemanticDiagnostics(),
    ...program.getOptionsDiagnostics(),
  ];
}

function describeDiagnostics(diagnostics: readonly ts.Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const where =
      d.file && d.start !== undefined
        ? `${path.relative(ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}`
        : '';
    return `${where} TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

describe('brand scoping is enforced by the type checker', () => {
  const source = ts.sys.readFile(FIXTURE)!;
  const directiveLines = source
    .split('\n')
    .map((line, index) => (line.trim().startsWith('// @ts-expect-error') ? index + 1 : 0))
    .filter((n) => n > 0);

  it('has a fixture with the unscoped calls to reject', () => {
    expect(directiveLines.length).toBeGreaterThanOrEqual(15);
  });

  it('compiles the fixture with zero diagnostics (no unused @ts-expect-error)', () => {
    expect(describeDiagnostics(diagnosticsFor())).toEqual([]);
  }, 120_000);

  it('reports exactly one error under each directive once the directives are removed', () => {
    const stripped = diagnosticsFor((text) =>
      text
        .split('\n')
        .map((line) => (line.trim().startsWith('// @ts-expect-error') ? '//' : line))
        .join('\n'),
    );
    const fixtureErrors = stripped.filter((d) => d.file && path.resolve(d.file.fileName) === FIXTURE);
    expect(describeDiagnostics(stripped.filter((d) => !fixtureErrors.includes(d)))).toEqual([]);
    const errorLines = fixtureErrors.map((d) => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1);
    expect(errorLines.sort((a, b) => a - b)).toEqual(directiveLines.map((n) => n + 1));
  }, 120_000);
});
