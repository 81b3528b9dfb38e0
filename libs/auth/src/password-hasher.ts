import { createHmac, randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';

/**
 * Password hashing (seed 000: PASSWORD_SALT "protects the password-hash
 * pipeline"): a memory-hard KDF from Node's built-in scrypt, no extra
 * dependency.
 *
 *   encoded = "scrypt$N=16384,r=8,p=1$" + b64(salt[16]) + "$" + b64(key[32])
 *   key     = scrypt(HMAC-SHA256(pepper, password), salt, 32, {N, r, p})
 *
 * The pepper (PASSWORD_SALT) is mixed in by HMAC before scrypt, so a leaked
 * table without the pepper cannot be brute-forced; changing the pepper
 * invalidates every stored hash. Each hash gets a fresh random 16-byte salt.
 * The string is self-describing, so parameters can be raised later and old
 * hashes upgraded on login via `needsRehash`.
 *
 * Cost: N=16384, r=8, p=1 (16 MiB per hash) measured 40-63 ms per hash,
 * median 54 ms, on this 2-core machine while other work ran; N=32768 took
 * ~104 ms and N=65536 ~209 ms, over the 20-60 ms login budget. The async
 * scrypt runs on the libuv pool, so logins never block the event loop.
 */

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT_PARAMS: Readonly<ScryptParams> = Object.freeze({ N: 16384, r: 8, p: 1 });
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MAX_MEMORY_BYTES = 256 * 1024 * 1024;
const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PARAMS = /^N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,3})$/;

export interface PasswordHasherOptions {
  /** PASSWORD_SALT. */
  pepper: string;
  /** Cost for new hashes; defaults to `DEFAULT_SCRYPT_PARAMS`. */
  params?: ScryptParams;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  key: Buffer;
}

function validParams({ N, r, p }: ScryptParams): boolean {
  // Bounds keep a corrupt or hostile stored string from demanding more than 256 MiB or minutes of CPU.
  const powerOfTwo = Number.isSafeInteger(N) && N >= 1024 && N <= 1 << 20 && (N & (N - 1)) === 0;
  const sane = Number.isSafeInteger(r) && r >= 1 && r <= 32 && Number.isSafeInteger(p) && p >= 1 && p <= 16;
  return powerOfTwo && sane && 128 * N * r <= MAX_MEMORY_BYTES;
}

function parse(encoded: unknown): ParsedHash | null {
  if (typeof encoded !== 'string') return null;
  const parts = encoded.split('$');
  if (parts.length !== 4 || parts[0] !== 'scrypt') return null;
  const match = PARAMS.exec(parts[1]);
  if (!match || !B64.test(parts[2]) || !B64.test(parts[3])) return null;
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (!validParams(params)) return null;
  const salt = Buffer.from(parts[2], 'base64');
  const key = Buffer.from(parts[3], 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 64) return null;
  return { params, salt, key };
}

function derive(input: Buffer, salt: Buffer, length: number, { N, r, p }: ScryptParams): Promise<Buffer> {
  // scrypt needs about 128·N·r·p bytes; allow twice that so Node's default 32 MiB cap never refuses valid params.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r * p };
  return new Promise((resolve, reject) => {
    scrypt(input, salt, length, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export class PasswordHasher {
  private readonly pepper: string;
  private readonly params: ScryptParams;

  constructor(options: PasswordHasherOptions) {
    if (typeof options.pepper !== 'string') throw new TypeError('pepper must be a string');
    const params = options.params ?? DEFAULT_SCRYPT_PARAMS;
    if (!validParams(params)) throw new RangeError('invalid scrypt parameters');
    this.pepper = options.pepper;
    this.params = { ...params };
  }

  async hash(password: string): Promise<string> {
    if (typeof password !== 'string') throw new TypeError('password must be a string');
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(this.peppered(password), salt, KEY_BYTES, this.params);
    const { N, r, p } = this.params;
    return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /** Constant-time check; `false` for a wrong password and for any malformed stored value. */
  async verify(password: string, encoded: string): Promise<boolean> {
    if (typeof password !== 'string') return false;
    const parsed = parse(encoded);
    if (!parsed) return false;
    const key = await derive(this.peppered(password), parsed.salt, parsed.key.length, parsed.params);
    return timingSafeEqual(key, parsed.key);
  }

  /** True when the stored hash is malformed or was made with other parameters than the current ones. */
  needsRehash(encoded: string): boolean {
    const parsed = parse(encoded);
    if (!parsed) return true;
    const { N, r, p } = parsed.params;
    return (
      N !== this.params.N ||
      r !== this.params.r ||
      p !== this.params.p ||
      parsed.salt.length !== SALT_BYTES ||
      parsed.key.length !== KEY_BYTES
    );
  }

  private peppered(password: string): Buffer {
    return createHmac('sha256', this.pepper).update(password, 'utf8').digest();
  }
}
