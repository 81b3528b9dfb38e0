/**
 * The brand-scope check (seed 004 T16-C classifier) against fixtures: each
 * failing fixture marks the lines it must be reported on with a trailing
 * `// expect: <rule>`; a bare `// brand-scope: cross-brand` (no reason) must
 * be reported as `escape-hatch`; passing fixtures must produce nothing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile, checkSource, SCOPED_TABLES } from './check';

const FIXTURES = path.resolve(__dirname, '../../test/fixtures/lint');

function expectedFindings(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line, index) => {
      const marker = /\/\/ expect: ([a-z-]+)\s*$/.exec(line);
      if (marker) return [`${index + 1}:${marker[1]}`];
      if (/^\s*\/\/\s*brand-scope:\s*cross-brand\s*$/.test(line)) return [`${index + 1}:escape-hatch`];
      return [];
    });
}

const found = (file: string) => checkFile(file).map((f) => `${f.line}:${f.rule}`);

describe('brand-scope-check', () => {
  it('shares its table list with libs/database', () => {
    const json = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../libs/database/src/brand-scoped-tables.json'), 'utf8'),
    );
    expect([...SCOPED_TABLES].sort()).toEqual([...json.tables].sort());
  });

  describe.each([
    ['fail-static-sql.ts', 'static-sql', 8],
    ['fail-dynamic-where-1-1.ts', 'dynamic-sql', 1],
    ['fail-dynamic-conditions.ts', 'dynamic-sql', 2],
    ['fail-query-builder.ts', 'query-builder', 5],
    ['fail-repository.ts', 'repository', 6],
    ['fail-escape-without-reason.ts', 'escape-hatch', 1],
    ['fail-rls-setting.ts', 'rls-setting', 6],
  ])('%s', (name, rule, count) => {
    const file = path.join(FIXTURES, name);

    it(`is reported on exactly the marked lines (${count} x ${rule})`, () => {
      const expected = expectedFindings(file);
      expect(expected.filter((e) => e.endsWith(`:${rule}`))).toHaveLength(count);
      expect(found(file)).toEqual(expected);
    });
  });

  it('reports nothing on the passing fixture', () => {
    expect(checkFile(path.join(FIXTURES, 'pass-scoped.ts'))).toEqual([]);
  });

  it('prints where and why', () => {
    const [finding] = checkSource('x.ts', "const q = 'SELECT * FROM player WHERE account = $1';\n");
    expect(finding).toEqual({
      file: 'x.ts',
      line: 1,
      rule: 'static-sql',
      message: 'SELECT on player without brand_id in WHERE',
    });
  });

  it('accepts the escape hatch only on the line before the statement', () => {
    const sql = "db.query('SELECT id FROM player_outbox WHERE status = $1');";
    expect(checkSource('x.ts', `// brand-scope: cross-brand outbox poller\n${sql}\n`)).toEqual([]);
    expect(checkSource('x.ts', `// brand-scope: cross-brand outbox poller\n\n${sql}\n`)).toHaveLength(1);
  });

  it('reads const table names in templates as their values', () => {
    const code = (table: string) =>
      `const T = '${table}';\nconst q = \`SELECT id FROM \${T} WHERE id = $1\`;\n`;
    expect(checkSource('x.ts', code('agent'))).toEqual([]);
    expect(checkSource('x.ts', code('coupon')).map((f) => f.rule)).toEqual(['static-sql']);
  });

  it('allows row-level security settings only inside libs/database', () => {
    const code = "db.query(`SELECT set_config('app.brand_id', $1, true)`, [b]);\n";
    const inside = path.resolve(__dirname, '../../libs/database/src/x.ts');
    expect(checkSource(inside, code)).toEqual([]);
    expect(
      checkSource(path.resolve(__dirname, '../../libs/outbox/src/x.ts'), code).map((f) => f.rule),
    ).toEqual(['rls-setting']);
  });

  it('skips repository checks inside libs/database, where the scoped repository is implemented', () => {
    const code = "import { Player } from './entities';\nmanager.find(Player, {});\n";
    const inside = path.resolve(__dirname, '../../libs/database/src/x.ts');
    expect(checkSource(inside, code)).toEqual([]);
    expect(
      checkSource(path.resolve(__dirname, '../../apps/player/src/x.ts'), code).map((f) => f.rule),
    ).toEqual(['repository']);
  });
});
