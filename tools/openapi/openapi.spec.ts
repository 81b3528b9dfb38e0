/**
 * The committed OpenAPI snapshots (docs/reference/openapi/<app>.json) must be
 * exactly what `npm run openapi` writes now: a route, DTO or legacy alias
 * change without a regenerated snapshot fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { OpenAPIObject } from '@nestjs/swagger';
import { legacyAliases } from '../../apps/agent/src/http/route';
import { availableApps, buildDocument, type HttpApp, outputPath, serialize } from './generate';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

function operations(document: OpenAPIObject): Map<string, string> {
  const out = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = (item as Record<string, unknown>)[method];
      if (operation) out.set(`${method.toUpperCase()} ${path}`, JSON.stringify(operation));
    }
  }
  return out;
}

/** A short, readable list of what differs between two documents. */
function differences(committed: OpenAPIObject, current: OpenAPIObject): string[] {
  const a = operations(committed);
  const b = operations(current);
  const out: string[] = [];
  for (const key of b.keys()) if (!a.has(key)) out.push(`missing from snapshot: ${key}`);
  for (const key of a.keys()) if (!b.has(key)) out.push(`no longer served: ${key}`);
  for (const [key, value] of b) if (a.has(key) && a.get(key) !== value) out.push(`changed: ${key}`);
  if (JSON.stringify(committed.components) !== JSON.stringify(current.components))
    out.push('changed: components (schemas)');
  if (JSON.stringify(committed.info) !== JSON.stringify(current.info)) out.push('changed: info');
  return out;
}

const documents = new Map<HttpApp, OpenAPIObject>();

async function documentOf(app: HttpApp): Promise<OpenAPIObject> {
  if (!documents.has(app)) documents.set(app, await buildDocument(app));
  return documents.get(app) as OpenAPIObject;
}

describe('OpenAPI snapshots (npm run openapi)', () => {
  jest.setTimeout(60_000);

  it('covers the agent app', () => {
    expect(availableApps()).toContain('agent');
  });

  it.each(availableApps())('docs/reference/openapi/%s.json is current', async (app) => {
    const file = outputPath(app);
    expect(existsSync(file)).toBe(true);
    const current = await documentOf(app);
    const committedText = readFileSync(file, 'utf8');
    const problems = differences(JSON.parse(committedText) as OpenAPIObject, current);
    expect(problems).toEqual([]);
    expect(committedText).toBe(serialize(current));
  });

  it('documents every new-shape agent route and none of the legacy aliases', async () => {
    const ops = operations(await documentOf('agent'));
    const aliases = legacyAliases();
    expect(aliases.length).toBeGreaterThan(30);
    for (const alias of aliases) {
      expect(ops.has(`${alias.method} ${alias.path}`)).toBe(false);
      expect(ops.has(`${alias.method} ${alias.twin}`)).toBe(true);
    }
    expect(ops.has('POST /agent/login')).toBe(true);
    expect(ops.has('POST /user/login')).toBe(false);
  });
});
