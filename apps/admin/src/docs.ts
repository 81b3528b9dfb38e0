/**
 * admin's OpenAPI output (CONTRACTS: shapes not fixed there are documented in
 * the OpenAPI output): `/openapi.json` and the UI at `/docs`, both outside
 * the admin JWT and skipped by brand resolution (seed 004 T8-D1).
 */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export function setupAdminDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('admin_service')
    .setDescription(
      'Back-office API (seed 004, ADR-009). Every /api/v1 route except /api/v1/auth/login needs `Authorization: Bearer <admin JWT>`; ' +
        'brand-scoped routes take the brand from X-Brand-Id (else the request domain) and answer status 54 without one and status 50 when it names no brand. ' +
        'Bodies are {status, msg, data} envelopes (CONTRACTS §2).',
    )
    .addBearerAuth()
    .addGlobalParameters({
      name: 'X-Brand-Id',
      in: 'header',
      required: false,
      schema: { type: 'integer', minimum: 1 },
    })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
}
