import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { devKeyPair, type DevKeyPair } from './dev-keys';
import { JwtIssuer } from './jwt-issuer';
import { JWT_KEYS_CHANNEL, JwtKeyRing, type KeyChangeSubscriber } from './jwt-key-ring';

/** Shaped like an ioredis subscriber connection: `subscribe` + 'message' events. */
class FakeSubscriber extends EventEmitter implements KeyChangeSubscriber {
  readonly channels: string[] = [];
  async subscribe(channel: string): Promise<number> {
    this.channels.push(channel);
    return this.channels.length;
  }
  publish(channel: string, message: string): void {
    this.emit('message', channel, message);
  }
}

// Compile-time proof that a real ioredis connection fits the subscriber shape.
const acceptsIoredis = (redis: Redis): KeyChangeSubscriber => redis;

let oldPair: DevKeyPair;
let newPair: DevKeyPair;
let oldIssuer: JwtIssuer;
let newIssuer: JwtIssuer;

beforeAll(() => {
  oldPair = devKeyPair();
  newPair = devKeyPair();
  oldIssuer = new JwtIssuer({
    privateKeyPem: oldPair.privateKeyPem,
    kid: oldPair.kid,
    expiresInSeconds: 600,
  });
  newIssuer = new JwtIssuer({
    privateKeyPem: newPair.privateKeyPem,
    kid: newPair.kid,
    expiresInSeconds: 600,
  });
});

describe('JwtKeyRing', () => {
  it('fits ioredis (type check)', () => {
    expect(typeof acceptsIoredis).toBe('function');
  });

  it('loads keys once and reuses the verifier until invalidated', async () => {
    const loadKeys = jest.fn(() => new Map([[oldPair.kid, oldPair.publicKeyPem]]));
    const ring = new JwtKeyRing({ loadKeys, service: 'ring_spec' });
    const token = (await oldIssuer.signAdmin({ adminId: 1 })).token;
    await ring.verify(token, 'admin');
    await ring.verify(token, 'admin');
    expect(loadKeys).toHaveBeenCalledTimes(1);
    expect(await ring.verifier()).toBe(await ring.verifier());

    ring.invalidate();
    await ring.verify(token, 'admin');
    expect(loadKeys).toHaveBeenCalledTimes(2);
  });

  it('loads once for concurrent first requests', async () => {
    const loadKeys = jest.fn(async () => new Map([[oldPair.kid, oldPair.publicKeyPem]]));
    const ring = new JwtKeyRing({ loadKeys, service: 'ring_spec' });
    const token = (await oldIssuer.signAdmin({ adminId: 1 })).token;
    await Promise.all([
      ring.verify(token, 'admin'),
      ring.verify(token, 'admin'),
      ring.verify(token, 'admin'),
    ]);
    expect(loadKeys).toHaveBeenCalledTimes(1);
  });

  it('picks up a rotated key set on a jwt_public_keys_changed message', async () => {
    let current = new Map([[oldPair.kid, oldPair.publicKeyPem]]);
    const ring = new JwtKeyRing({ loadKeys: () => current, service: 'ring_spec' });
    const subscriber = new FakeSubscriber();
    await ring.subscribeToKeyChanges(subscriber);
    expect(subscriber.channels).toEqual([JWT_KEYS_CHANNEL]);

    const oldToken = (await oldIssuer.signAdmin({ adminId: 1 })).token;
    const newToken = (await newIssuer.signAdmin({ adminId: 2 })).token;
    await expect(ring.verify(oldToken, 'admin')).resolves.toMatchObject({ admin_id: 1 });
    await expect(ring.verify(newToken, 'admin')).rejects.toMatchObject({ reason: 'unknown_kid' });

    // Rotation: new kid added, then the old one retired after the overlap.
    current = new Map([
      [oldPair.kid, oldPair.publicKeyPem],
      [newPair.kid, newPair.publicKeyPem],
    ]);
    await expect(ring.verify(newToken, 'admin')).rejects.toMatchObject({ reason: 'unknown_kid' }); // still cached
    subscriber.publish(JWT_KEYS_CHANNEL, JSON.stringify({ kids: [newPair.kid] }));
    await expect(ring.verify(newToken, 'admin')).resolves.toMatchObject({ admin_id: 2 });
    await expect(ring.verify(oldToken, 'admin')).resolves.toMatchObject({ admin_id: 1 });

    current = new Map([[newPair.kid, newPair.publicKeyPem]]);
    subscriber.publish(JWT_KEYS_CHANNEL, '{}');
    await expect(ring.verify(oldToken, 'admin')).rejects.toMatchObject({ reason: 'unknown_kid' });
  });

  it('ignores messages on other channels and stops listening when disposed', async () => {
    const loadKeys = jest.fn(() => new Map([[oldPair.kid, oldPair.publicKeyPem]]));
    const ring = new JwtKeyRing({ loadKeys, service: 'ring_spec' });
    const subscriber = new FakeSubscriber();
    const dispose = await ring.subscribeToKeyChanges(subscriber, 'custom_channel');
    await ring.verifier();
    subscriber.publish('BRAND_CATALOG_CHANGED', '{}');
    await ring.verifier();
    expect(loadKeys).toHaveBeenCalledTimes(1);
    subscriber.publish('custom_channel', '{}');
    await ring.verifier();
    expect(loadKeys).toHaveBeenCalledTimes(2);
    dispose();
    subscriber.publish('custom_channel', '{}');
    await ring.verifier();
    expect(loadKeys).toHaveBeenCalledTimes(2);
    expect(subscriber.listenerCount('message')).toBe(0);
  });

  it('keeps the last good key set when a reload fails, and retries on the next invalidation', async () => {
    const warn = jest.fn();
    let fail = false;
    const loadKeys = jest.fn(() => {
      if (fail) throw new Error('keys file unreadable');
      return new Map([[oldPair.kid, oldPair.publicKeyPem]]);
    });
    const ring = new JwtKeyRing({ loadKeys, service: 'ring_spec', logger: { warn } });
    const token = (await oldIssuer.signAdmin({ adminId: 1 })).token;
    await ring.verify(token, 'admin');

    fail = true;
    ring.invalidate();
    await expect(ring.verify(token, 'admin')).resolves.toMatchObject({ admin_id: 1 });
    expect(warn).toHaveBeenCalledTimes(1);

    fail = false;
    ring.invalidate();
    await ring.verify(token, 'admin');
    expect(loadKeys).toHaveBeenCalledTimes(3);
  });

  it('surfaces a first load failure and retries on the next call', async () => {
    let attempts = 0;
    const ring = new JwtKeyRing({
      loadKeys: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('not yet');
        return new Map([[oldPair.kid, oldPair.publicKeyPem]]);
      },
      service: 'ring_spec',
    });
    const token = (await oldIssuer.signAdmin({ adminId: 1 })).token;
    await expect(ring.verify(token, 'admin')).rejects.toThrow('not yet');
    await expect(ring.verify(token, 'admin')).resolves.toMatchObject({ admin_id: 1 });
  });

  it('does not cache a load that was started before an invalidation', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let current = new Map([[oldPair.kid, oldPair.publicKeyPem]]);
    const ring = new JwtKeyRing({
      loadKeys: async () => {
        const snapshot = current;
        await gate;
        return snapshot;
      },
      service: 'ring_spec',
    });
    const stale = ring.verifier();
    current = new Map([[newPair.kid, newPair.publicKeyPem]]);
    ring.invalidate();
    release();
    await stale;
    const newToken = (await newIssuer.signAdmin({ adminId: 2 })).token;
    await expect(ring.verify(newToken, 'admin')).resolves.toMatchObject({ admin_id: 2 });
  });
});
