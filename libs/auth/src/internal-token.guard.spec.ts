import { Controller, Get, type INestApplication, Module, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { CallerService } from '@app/config';
import { EnvelopeExceptionFilter } from '@app/http';
import { InternalTokenVerifier } from './internal-token';
import {
  CurrentCaller,
  INTERNAL_TOKEN_VERIFIER,
  InternalCallers,
  InternalTokenGuard,
} from './internal-token.guard';

const TOKENS = { gateway: 'gw-secret-token', admin: 'admin-secret-token' };

@Controller('internal')
@UseGuards(InternalTokenGuard)
@InternalCallers('gateway')
class ProbeController {
  @Get('gateway-only')
  gatewayOnly(@CurrentCaller() caller: CallerService) {
    return { caller };
  }

  @Get('admin-or-gateway')
  @InternalCallers('admin', 'gateway')
  both(@CurrentCaller() caller: CallerService) {
    return { caller };
  }
}

@Controller('undeclared')
@UseGuards(InternalTokenGuard)
class UndeclaredController {
  @Get()
  open() {
    return { reached: true };
  }
}

@Module({
  controllers: [ProbeController, UndeclaredController],
  providers: [
    InternalTokenGuard,
    {
      provide: INTERNAL_TOKEN_VERIFIER,
      useFactory: () =>
        new InternalTokenVerifier({ tokens: TOKENS, perCallerRequired: true, service: 'guard_spec' }),
    },
  ],
})
class ProbeModule {}

describe('InternalTokenGuard over a real Nest + Fastify app', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalFilters(new EnvelopeExceptionFilter(() => 'internal'));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await (app as INestApplication | undefined)?.close();
  });

  const get = (url: string, headers: Record<string, string>) =>
    app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });

  it('lets the declared caller in and exposes it to the handler', async () => {
    const res = await get('/internal/gateway-only', {
      'x-caller-service': 'gateway',
      'x-internal-service-token': TOKENS.gateway,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ caller: 'gateway' });
  });

  it('uses the handler declaration over the controller one', async () => {
    const res = await get('/internal/admin-or-gateway', {
      'x-caller-service': 'admin',
      'x-internal-service-token': TOKENS.admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ caller: 'admin' });
  });

  it('answers 401 with status 60 for a caller not declared on the route', async () => {
    const res = await get('/internal/gateway-only', {
      'x-caller-service': 'admin',
      'x-internal-service-token': TOKENS.admin,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ status: 60, data: null });
  });

  it('answers 401 with status 60 for a wrong or missing token, without echoing it', async () => {
    const wrong = await get('/internal/gateway-only', {
      'x-caller-service': 'gateway',
      'x-internal-service-token': 'guessed-token',
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().status).toBe(60);
    expect(wrong.body).not.toContain('guessed-token');
    const missing = await get('/internal/gateway-only', {});
    expect(missing.statusCode).toBe(401);
  });

  it('refuses every caller on a guarded route that declares none (fail closed)', async () => {
    const res = await get('/undeclared', {
      'x-caller-service': 'gateway',
      'x-internal-service-token': TOKENS.gateway,
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().status).toBe(60);
  });
});
