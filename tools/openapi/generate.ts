/**
 * OpenAPI documents of the HTTP apps (seed 001: "regenerate the OpenAPI
 * snapshot ... and inspect docs/reference/openapi/agent_service.json"; issue:
 * `npm run openapi` writes docs/reference/openapi/<app>.json, agent first).
 *
 * Each app's root module (`<App>Module.forRoot(config)` in
 * apps/<app>/src/app.module.ts) is created in Nest's preview mode, which
 * builds the module graph without instantiating a single provider: no
 * database, Redis or key material is touched. The configuration is the
 * app's own loader over a fixed, non-production environment, so documents
 * do not depend on the machine. Legacy aliases declared through the agent's
 * `@Route({legacy})` are removed (the seed's `include_in_schema=False`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { register } from 'prom-client';
import { loadConfig, SERVICE_LABEL, type ServiceName } from '@app/config';

export const ROOT = join(__dirname, '..', '..');
export const OUTPUT_DIR = join(ROOT, 'docs', 'reference', 'openapi');

/** The HTTP apps, agent first (the order). Workers serve only /health and /metrics. */
export const HTTP_APPS = ['agent', 'gateway', 'player', 'admin'] as const satisfies readonly ServiceName[];
export type HttpApp = (typeof HTTP_APPS)[number];

const DOC_ENV = { MULTI_BRAND_ENFORCEMENT: 'observe', LOG_LEVEL: 'silent' };

const DESCRIPTIONS: Record<HttpApp, string> = {
  agent:
    'agent_service: the agent portal (empty prefix). Every body is the envelope {status, msg, data}; business failures are HTTP 200 with status ≠ 0 ' +
    '(CONTRACTS §2). The brand is resolved from the request domain (Origin, then Host); X-Brand-Id sent by clients is ignored. ' +
    'Legacy aliases (/user/*, /home/*, /withdraw/*, /player/*, /provider/*, /messages/*, /bank/list, /common/*, /coupon/*, ' +
    '/agent/agentStatistic*, /agent/statisticDaily) are served by the same handlers and omitted here.',
  gateway: 'gateway: the player-facing edge (CONTRACTS §7).',
  player: 'player_service: /internal/players/* and /internal/common/* (CONTRACTS §7).',
  admin: 'admin_service: /api/v1/* (CONTRACTS §7).',
};

function pascal(app: string): string {
  return app.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
}

export function appModulePath(app: HttpApp): string {
  return join(ROOT, 'apps', app, 'src', 'app.module.ts');
}

/** The apps whose root module exists in this checkout. */
export function availableApps(): HttpApp[] {
  return HTTP_APPS.filter((app) => existsSync(appModulePath(app)));
}

interface RootModule {
  forRoot(config: unknown): DynamicModule;
}

function rootModule(app: HttpApp): RootModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(appModulePath(app).replace(/\.ts$/, '')) as Record<string, unknown>;
  const candidate = exports[`${pascal(app)}Module`] as RootModule | undefined;
  if (!candidate || typeof candidate.forRoot !== 'function') {
    throw new Error(`apps/${app}/src/app.module.ts exports no ${pascal(app)}Module.forRoot(config)`);
  }
  return candidate;
}

function version(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Legacy (method, path) pairs to leave out; only the agent declares them through its route registry. */
function legacyPairs(app: HttpApp): Array<{ method: string; path: string }> {
  if (app !== 'agent') return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const route = require(
    join(ROOT, 'apps', 'agent', 'src', 'http', 'route'),
  ) as typeof import('../../apps/agent/src/http/route');
  return route.legacyAliases().map((alias) => ({ method: alias.method.toLowerCase(), path: alias.path }));
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * Drops the legacy (method, path) pairs. A handler mounted at several paths
 * gets operationIds `X[0]`, `X[1]`, ...; index 0 is the new-shape path, which
 * keeps the plain id `X`.
 */
function withoutLegacy(
  document: OpenAPIObject,
  pairs: Array<{ method: string; path: string }>,
): OpenAPIObject {
  const paths = { ...document.paths };
  for (const { method, path } of pairs) {
    const item = paths[path];
    if (!item) continue;
    const rest = { ...item } as Record<string, unknown>;
    delete rest[method];
    const operations = Object.keys(rest).filter((key) => METHODS.includes(key));
    if (operations.length === 0) delete paths[path];
    else paths[path] = rest as typeof item;
  }
  if (pairs.length > 0) {
    for (const item of Object.values(paths)) {
      for (const method of METHODS) {
        const operation = (item as Record<string, { operationId?: string } | undefined>)[method];
        if (operation?.operationId?.endsWith('[0]'))
          operation.operationId = operation.operationId.slice(0, -3);
      }
    }
  }
  return { ...document, paths };
}

export async function buildDocument(app: HttpApp): Promise<OpenAPIObject> {
  const config = loadConfig(app, DOC_ENV);
  // Each root module registers the default process metrics; one process builds several apps.
  register.clear();
  const nest = await NestFactory.create(rootModule(app).forRoot(config), new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    const options = new DocumentBuilder()
      .setTitle(SERVICE_LABEL[app])
      .setDescription(DESCRIPTIONS[app])
      .setVersion(version())
      .addBearerAuth()
      .build();
    const document = SwaggerModule.createDocument(nest, options);
    return withoutLegacy(document, legacyPairs(app));
  } finally {
    await nest.close();
  }
}

/** The exact file content of a document: 2-space JSON and a trailing newline. */
export function serialize(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function outputPath(app: HttpApp): string {
  return join(OUTPUT_DIR, `${app}.json`);
}
