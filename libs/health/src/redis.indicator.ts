import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { pingRedis, REDIS } from '@app/redis';
import { HealthRegistry } from './registry';

/** Registers the `redis` check (PING on the shared client). */
@Injectable()
export class RedisHealthCheck implements OnModuleInit {
  constructor(
    private readonly registry: HealthRegistry,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    this.registry.register('redis', async () => ({ ok: await pingRedis(this.redis) }));
  }
}
