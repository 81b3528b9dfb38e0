/**
 * Captcha challenges (issue 4 point 5): an SVG image whose answer is kept in
 * Redis only as a keyed digest, for CAPTCHA_TTL_SECONDS, and is single use
 * (GETDEL), checked in constant time, case-insensitively. The answer text is
 * drawn with crypto.randomInt; svg-captcha only renders it.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import svgCaptchaModule from 'svg-captcha';
import { APP_CONFIG, type PlayerConfig } from '@app/config';
import { constantTimeEqual, hashCode } from '@app/crypto';
import { BusinessRuleError, InvalidInputError } from '@app/http';
import { REDIS, redisOrUnavailable } from '@app/redis';

export const CAPTCHA_TTL_SECONDS = 300;
/** No 0/O, 1/I/L: easy to read back. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 5;

type Render = (text: string, options?: Record<string, unknown>) => string;
const render = svgCaptchaModule as unknown as Render;

export function captchaKey(brandId: number, id: string): string {
  return `captcha:${brandId}:${id}`;
}

@Injectable()
export class CaptchaService {
  private readonly pepper: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: PlayerConfig,
  ) {
    this.pepper = `captcha:${config.PASSWORD_SALT ?? ''}`;
  }

  async create(brandId: number): Promise<{ captcha_id: string; image: string; expires_in: number }> {
    let text = '';
    for (let i = 0; i < LENGTH; i += 1) text += ALPHABET[randomInt(ALPHABET.length)];
    const id = randomUUID();
    await redisOrUnavailable('captcha store', () =>
      this.redis.set(captchaKey(brandId, id), hashCode(text, this.pepper), 'EX', CAPTCHA_TTL_SECONDS),
    );
    const image = render(text, { width: 150, height: 50, noise: 2, color: true });
    return { captcha_id: id, image, expires_in: CAPTCHA_TTL_SECONDS };
  }

  /** Consumes the challenge; a wrong, expired or reused answer is status 1, a missing one status 2. */
  async verify(brandId: number, id: unknown, answer: unknown): Promise<void> {
    if (
      typeof id !== 'string' ||
      !/^[0-9a-f-]{36}$/.test(id) ||
      typeof answer !== 'string' ||
      answer.trim() === ''
    ) {
      throw new InvalidInputError('invalid input', { captcha: ['isNotEmpty'] });
    }
    const stored = await redisOrUnavailable('captcha store', () =>
      this.redis.getdel(captchaKey(brandId, id)),
    );
    if (stored === null || !constantTimeEqual(hashCode(answer.trim().toUpperCase(), this.pepper), stored)) {
      throw new BusinessRuleError('invalid captcha');
    }
  }
}
