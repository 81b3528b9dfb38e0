/**
 * PII at rest for admin-written rows (seed 000/001 "AES PII", CONTRACTS §1):
 * phones are stored as aesgcm:v1 ciphertext plus a SHA-256 contact hash for
 * lookups; logs and audit rows only ever see the first 8 hex of that hash.
 */
import { Logger } from '@nestjs/common';
import type { AdminConfig } from '@app/config';
import { PiiCipher } from '@app/crypto';
import { InvalidInputError } from '@app/http';

export const PII_CIPHER = Symbol('PII_CIPHER');

export function buildPiiCipher(config: AdminConfig, production: boolean, service: string): PiiCipher {
  const logger = new Logger('PiiCipher');
  return new PiiCipher({
    aesKey: config.AES_KEY,
    aesIv: config.AES_IV,
    strictDecrypt: config.AES_STRICT_DECRYPT === 'on',
    production,
    service,
    logger: { warn: (obj, msg) => logger.warn(obj, msg) },
  });
}

/** CONTRACTS §1: 8-15 digits with an optional leading `+` (spaces and dashes are dropped first). */
export function normalizePhone(raw: string): string {
  const phone = raw.trim().replace(/[\s\-().]/g, '');
  if (!/^\+?\d{8,15}$/.test(phone))
    throw new InvalidInputError('invalid input', { phone: ['isPhoneNumber'] });
  return phone;
}
