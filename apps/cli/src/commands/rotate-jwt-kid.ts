/**
 * `rotate-jwt-kid`: the publish step of ADR-009's key rotation "with
 * overlap" (gateway seed, T4-D-I4). Verifiers cache their key ring and drop
 * it on a `jwt_public_keys_changed` message (CONTRACTS §4); publishing
 * before every verifier accepts the new kid would make tokens minted with it
 * fail on the stragglers, so this checks each verifier's /health
 * (`data.jwt_kids`, the kids its key ring accepts) first and publishes only
 * when all of them list the new kid. Payload: `{"kid": <new>, "at": <ISO-8601>}`.
 */
import { CommonConfig } from '@app/config';
import { createRedis } from '@app/redis';
import type { Command } from '../command';
import { parseFlags, UsageError } from '../command';
import { parseServiceUrls, readHealth, who } from './ops-http';

export const JWT_KEYS_CHANGED_CHANNEL = 'jwt_public_keys_changed';

const KID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export const rotateJwtKid: Command = {
  summary: 'check every verifier accepts a new JWT kid, then publish jwt_public_keys_changed',
  usage: [
    'rotate-jwt-kid --kid <new-kid> --services <url,...>',
    '  --services: every JWT verifier (gateway, player, agent, admin), each replica if they run several.',
    '  Reads GET /health of each and refuses (exit 1) unless every one is healthy and lists',
    '  <new-kid> in data.jwt_kids. Then publishes {"kid","at"} on the Redis channel',
    '  jwt_public_keys_changed (REDIS_URL) so verifiers rebuild their key ring, and prints',
    '  how many subscribers received it.',
  ].join('\n'),
  async run({ args, env, out, err }) {
    const flags = parseFlags(args, ['kid', 'services']);
    const kid = typeof flags.kid === 'string' ? flags.kid.trim() : '';
    if (!KID_PATTERN.test(kid))
      throw new UsageError('--kid <new-kid> is required (1-128 of A-Z a-z 0-9 . _ : -)');
    const urls = parseServiceUrls(flags.services);

    const readings = await Promise.all(urls.map((url) => readHealth(url)));
    const problems: string[] = [];
    for (const reading of readings) {
      const name = who(reading);
      if (reading.error) {
        problems.push(`${name}: ${reading.error}`);
        continue;
      }
      const kids = reading.data?.jwt_kids;
      if (!Array.isArray(kids)) {
        problems.push(`${name}: /health reports no data.jwt_kids (not a verifier, or too old to tell)`);
      } else if (!kids.includes(kid)) {
        const listed = kids.filter((k): k is string => typeof k === 'string');
        problems.push(`${name}: does not accept kid ${kid} yet (accepts: ${listed.join(', ') || 'none'})`);
      }
    }
    if (problems.length > 0) {
      err(`rotate-jwt-kid: not publishing; ${problems.length} verifier(s) not ready:`);
      for (const p of problems) err(`  - ${p}`);
      err(
        'rotate-jwt-kid: add the new public key to JWT_PUBLIC_KEYS on every verifier (keep the old kid), restart or reload them, and run this again',
      );
      return 1;
    }

    const redisUrl = env.REDIS_URL?.trim() || new CommonConfig().REDIS_URL;
    const redis = createRedis(redisUrl, 'servers-v2-ops', { enableOfflineQueue: true });
    try {
      const payload = JSON.stringify({ kid, at: new Date().toISOString() });
      const receivers = await redis.publish(JWT_KEYS_CHANGED_CHANNEL, payload);
      out(`rotate-jwt-kid: ${urls.length} verifier(s) accept kid ${kid}`);
      out(
        `rotate-jwt-kid: published ${payload} on ${JWT_KEYS_CHANGED_CHANNEL}; ${receivers} subscriber(s) received it`,
      );
      out(
        'rotate-jwt-kid: next, switch the issuers (player, agent, admin) to JWT_KID=' +
          `${kid} with its private key; keep the old kid in JWT_PUBLIC_KEYS for JWT_EXPIRE_MIN plus a buffer, then drop it and run this again.`,
      );
      return 0;
    } finally {
      redis.disconnect();
    }
  },
};
