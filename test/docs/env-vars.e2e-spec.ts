/**
 * Issue 7 acceptance: "every env var read by the code appears in
 * .env.example and in the service doc". Code reads configuration only
 * through the config classes of @app/config (loadConfig copies declared
 * variables and nothing else), so the declared variables are the variables
 * read: each must be in .env.example and in the Key Env Vars table of every
 * app whose class declares it; .env.example and the tables list nothing
 * else. The service docs keep the seeds' headings, and relative links across
 * docs/ resolve.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DatabaseToolConfig, SERVICE_SPECS, type ServiceName, declaredVariables } from '@app/config';
import { ROOT } from '../support/processes';

const HEADINGS = [
  'Purpose',
  'Primary Entry Points',
  'Dependencies',
  'Background Work',
  'Owned Data',
  'Events',
  'Health',
  'Key Env Vars',
  'Multi-Brand Constraints',
  'Tests',
];
const APPS = Object.keys(SERVICE_SPECS) as ServiceName[];
const declared = (app: ServiceName) => declaredVariables(SERVICE_SPECS[app].schema);
const docPath = (app: ServiceName) => join(ROOT, 'docs', 'services', `${app}.md`);

function envExample(): string[] {
  return readFileSync(join(ROOT, '.env.example'), 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

/** `## Heading` sections of a markdown file, in order. */
function sections(markdown: string): { heading: string; body: string }[] {
  const out: { heading: string; body: string }[] = [];
  for (const part of markdown.split(/^## /m).slice(1)) {
    const newline = part.indexOf('\n');
    out.push({ heading: part.slice(0, newline).trim(), body: part.slice(newline + 1) });
  }
  return out;
}

/** Variables in the first column of the Key Env Vars table (`| \`NAME\` | ...`). */
function tableVariables(body: string): string[] {
  return body
    .split('\n')
    .map((line) => /^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(path);
    return entry.name.endsWith('.md') ? [path] : [];
  });
}

describe('env vars, .env.example and the service docs', () => {
  const example = envExample();
  // the apps' variables plus the operator tools' (MIGRATION_DATABASE_URL, DATABASE_SUPERUSER_URL)
  const union = new Set([...APPS.flatMap(declared), ...declaredVariables(DatabaseToolConfig)]);

  it('lists every variable a config class declares in .env.example', () => {
    expect([...union].filter((name) => !example.includes(name)).sort()).toEqual([]);
    expect(union.size).toBeGreaterThan(50);
  });

  it('lists nothing in .env.example that no config class declares, and nothing twice', () => {
    expect(example.filter((name) => !union.has(name))).toEqual([]);
    expect(example.filter((name, i) => example.indexOf(name) !== i)).toEqual([]);
  });

  it.each(APPS)("docs/services/%s.md keeps the seeds' headings in order", (app) => {
    expect(existsSync(docPath(app))).toBe(true);
    const headings = sections(readFileSync(docPath(app), 'utf8')).map((s) => s.heading);
    expect(headings).toEqual(HEADINGS);
  });

  it.each(APPS)('docs/services/%s.md documents exactly the variables its config class declares', (app) => {
    const keyEnvVars = sections(readFileSync(docPath(app), 'utf8')).find((s) => s.heading === 'Key Env Vars');
    const documented = tableVariables(keyEnvVars?.body ?? '');
    const expected = declared(app);
    expect({
      missing: expected.filter((v) => !documented.includes(v)),
      unknown: documented.filter((v) => !expected.includes(v)),
    }).toEqual({
      missing: [],
      unknown: [],
    });
    expect(documented.filter((name, i) => documented.indexOf(name) !== i)).toEqual([]);
  });

  it('has architecture and runbook docs whose relative links resolve', () => {
    const docs = markdownFiles(join(ROOT, 'docs'));
    for (const required of [
      'architecture.md',
      'runbooks/jwt-key-rotation.md',
      'runbooks/enforcement-flip.md',
      'runbooks/redis-loss.md',
      'runbooks/outbox-dead-letters.md',
    ]) {
      expect(docs).toContain(join(ROOT, 'docs', required));
    }
    const broken: string[] = [];
    for (const file of [...docs, join(ROOT, 'deploy', 'k8s', 'README.md')]) {
      if (!existsSync(file)) {
        broken.push(`${file} is missing`);
        continue;
      }
      for (const match of readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1].split('#')[0];
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(dirname(file), target))) broken.push(`${file}: ${match[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
