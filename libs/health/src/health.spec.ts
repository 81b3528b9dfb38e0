import { Test } from '@nestjs/testing';
import { HealthCheckService, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { evaluateHealth } from './health';
import { HealthRegistry } from './registry';

describe('evaluateHealth (CONTRACTS §8)', () => {
  async function setup() {
    const moduleRef = await Test.createTestingModule({ imports: [TerminusModule.forRoot({ logger: false })] }).compile();
    return { health: moduleRef.get(HealthCheckService), indicators: moduleRef.get(HealthIndicatorService) };
  }

  it('answers 200 / status 0 with service, mode, info fields and checks when all pass', async () => {
    const { health, indicators } = await setup();
    const registry = new HealthRegistry();
    registry.register('redis', async () => ({ ok: true }));
    registry.register('db', async () => ({ ok: true }));
    registry.setInfo('jwt_kid', () => 'k1');
    const result = await evaluateHealth(health, indicators, registry, 'player_service', 'observe');
    expect(result.httpStatus).toBe(200);
    expect(result.body).toEqual({
      status: 0,
      msg: 'ok',
      data: {
        service: 'player_service',
        multi_brand_enforcement: 'observe',
        jwt_kid: 'k1',
        checks: { redis: 'ok', db: 'ok' },
        details: {},
      },
    });
  });

  it('answers 503 / status 7 with the same data shape when one check fails or throws', async () => {
    const { health, indicators } = await setup();
    const registry = new HealthRegistry();
    registry.register('redis', async () => ({ ok: false }));
    registry.register('db', async () => {
      throw new Error('connection refused');
    });
    const result = await evaluateHealth(health, indicators, registry, 'gateway', 'enforce');
    expect(result.httpStatus).toBe(503);
    expect(result.body.status).toBe(7);
    expect(result.body.data.checks).toEqual({ redis: 'down', db: 'down' });
    expect(result.body.data.multi_brand_enforcement).toBe('enforce');
  });
});
