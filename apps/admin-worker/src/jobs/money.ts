/**
 * Exact money arithmetic for rollups: numeric(20, 2) values from PostgreSQL
 * are strings; summing them as floats would drift, so they are added as
 * integer cents (bigint) and written back as decimal strings.
 */
export function toCents(value: string | number | null | undefined): bigint {
  const text = String(value ?? '0').trim();
  const match = /^(-?)(\d+)(?:\.(\d{1,2})\d*)?$/.exec(text);
  if (!match) throw new RangeError(`not a money amount: ${text}`);
  const cents = BigInt(match[2]) * 100n + BigInt((match[3] ?? '').padEnd(2, '0'));
  return match[1] === '-' ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}
