/**
 * agent_service routes (seed 001 "Primary Entry Points"): every new-shape
 * route and its legacy aliases are ONE handler mounted at several paths, so a
 * legacy frontend gets exactly the new-shape behaviour (guards, validation,
 * envelope). The aliases are recorded here; the OpenAPI export leaves them out
 * (the seed's `include_in_schema=False`) and the e2e table test walks them.
 * Frontend surface: every success answers HTTP 200 with status 0 (CONTRACTS §2),
 * POST included.
 */
import { applyDecorators, Get, HttpCode, Post, SetMetadata, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  getSchemaPath,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';

export const IS_PUBLIC = 'agent:public';

export type HttpMethod = 'GET' | 'POST';

/** What `data` holds on success: a DTO class, a list of one, `null`, or a raw schema. */
export type DataShape = Type | [Type] | null | { page: Type } | SchemaObject;

export interface RouteOptions {
  summary: string;
  data: DataShape;
  /** Legacy paths served by the same handler, hidden from OpenAPI. */
  legacy?: string[];
  /** No agent token required (login, recovery, public brand info). */
  public?: boolean;
}

export interface LegacyAlias {
  method: HttpMethod;
  path: string;
  twin: string;
}

const aliases: LegacyAlias[] = [];

/** Every legacy alias declared so far, with the new-shape path it mirrors. */
export function legacyAliases(): readonly LegacyAlias[] {
  return aliases;
}

/** `/messages/:id` → `/messages/{id}` (OpenAPI path syntax). */
export function openApiPath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function dataSchema(data: DataShape): { schema: SchemaObject | ReferenceObject; models: Type[] } {
  if (data === null) return { schema: { type: 'object', nullable: true, example: null }, models: [] };
  if (Array.isArray(data))
    return { schema: { type: 'array', items: { $ref: getSchemaPath(data[0]) } }, models: [data[0]] };
  if (typeof data === 'function') return { schema: { $ref: getSchemaPath(data) }, models: [data] };
  if ('page' in data && typeof data.page === 'function') {
    const item = data.page;
    return {
      schema: {
        type: 'object',
        required: ['items', 'total', 'page', 'size'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(item) } },
          total: { type: 'integer' },
          page: { type: 'integer' },
          size: { type: 'integer' },
        },
      },
      models: [item],
    };
  }
  return { schema: data as SchemaObject, models: [] };
}

/** The CONTRACTS §2 envelope around a data schema. */
export function envelopeSchema(schema: SchemaObject | ReferenceObject): SchemaObject {
  return {
    type: 'object',
    required: ['status', 'msg', 'data'],
    properties: {
      status: { type: 'integer', example: 0, description: '0 on success; see CONTRACTS §2 for the catalog' },
      msg: { type: 'string', example: 'ok' },
      data: schema,
    },
  };
}

export function Route(method: HttpMethod, path: string, options: RouteOptions): MethodDecorator {
  const legacy = options.legacy ?? [];
  for (const alias of legacy) aliases.push({ method, path: openApiPath(alias), twin: openApiPath(path) });
  const paths = [path, ...legacy];
  const { schema, models } = dataSchema(options.data);
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [
    method === 'GET' ? Get(paths) : Post(paths),
    HttpCode(200),
    ApiOperation({ summary: options.summary }),
    ApiOkResponse({
      description: 'Envelope; business failures are also HTTP 200 with status ≠ 0',
      schema: envelopeSchema(schema),
    }),
    SetMetadata(IS_PUBLIC, options.public === true),
  ];
  if (models.length > 0) decorators.push(ApiExtraModels(...models));
  if (options.public !== true) decorators.push(ApiBearerAuth());
  return applyDecorators(...decorators) as MethodDecorator;
}
