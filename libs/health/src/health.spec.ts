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

  it('runs only the liveness checks for /healthz, so a dependency outage does not fail it', async () => {
    const { health, indicators } = await setup();
    const registry = new HealthRegistry();
    registry.register('redis', async () => ({ ok: false }));
    registry.register('scheduler', async () => ({ ok: true }), { liveness: true });
    const live = await evaluateHealth(health, indicators, registry, 'admin_worker', 'observe', 'liveness');
    expect([live.httpStatus, live.body.status, live.body.data.checks]).toEqual([200, 0, { scheduler: 'ok' }]);
    const ready = await evaluateHealth(health, indicators, registry, 'admin_worker', 'observe');
    expect([ready.httpStatus, ready.body.data.checks]).toEqual([503, { redis: 'down', scheduler: 'ok' }]);

    registry.register('scheduler', async () => ({ ok: false }), { liveness: true });
    const wedged = await evaluateHealth(health, indicators, registry, 'admin_worker', 'observe', 'liveness');
    expect([wedged.httpStatus, wedged.body.status, wedged.body.data.checks]).toEqual([503, 7, { scheduler: 'down' }]);
    // Registering a name again without the option takes it out of liveness.
    registry.register('scheduler', async () => ({ ok: false }));
    expect(registry.entries('liveness')).toEqual([]);
  });
});
