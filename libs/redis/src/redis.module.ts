import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, connectQuietly, createRedis, createSubscriber } from './redis';

export const REDIS = Symbol('REDIS');
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

@Injectable()
class RedisLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly client: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    closeRedis(this.client);
    closeRedis(this.subscriber);
  }
}

/**
 * Global Redis client plus a dedicated subscriber connection (pub/sub
 * invalidation channels of CONTRACTS §4). Boot does not wait on Redis being
 * up: /health reports it and requests that need it fail closed.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string, service: string): DynamicModule {
    const logger = new Logger('Redis');
    const providers = [
      {
        provide: REDIS,
        useFactory: async () => {
          const client = createRedis(url, `${service}`);
          client.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis error'));
          if (!(await connectQuietly(client))) logger.warn('redis not ready at boot; retrying in background');
          return client;
        },
      },
      {
        provide: REDIS_SUBSCRIBER,
        useFactory: async () => {
          const sub = createSubscriber(url, `${service}-sub`);
          sub.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis subscriber error'));
          await connectQuietly(sub);
          return sub;
        },
      },
      RedisLifecycle,
    ];
    return { module: RedisModule, providers, exports: [REDIS, REDIS_SUBSCRIBER] };
  }
}
