/**
 * @app/crypto: the project's small cryptographic toolbox (seed 000 AES PII,
 * recovery audit hashes and OTP storage; ADR-009 constant-time comparisons).
 */
export { PiiCipher, PiiDecryptError, PiiKeysMisconfiguredError, mask, GCM_PREFIX } from './pii-cipher';
export type { PiiCipherOptions, PiiLogger } from './pii-cipher';
export { contactHash, contactHashShort, ipHash, normalizeContact } from './hashing';
export { constantTimeEqual } from './constant-time';
export { randomNumericCode, randomToken, hashCode } from './random';
