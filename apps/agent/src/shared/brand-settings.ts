/**
 * Per-brand values the agent portal reads from `brand_config` (ADR-009
 * "Configuration is per-brand": per-brand value first, then a documented
 * global default):
 * - `agent_min_withdrawal_limit`: a number (or numeric string); the smallest
 *   agent withdrawal request. Global default 10000.
 * - `bank_list`: an array of `{bank_id, name}`; the banks an agent may pick
 *   for payouts. Global default: the Korean banks below (the `default` brand
 *   settles in KRW).
 * Values of the wrong shape are ignored in favour of the default.
 */
import { Injectable } from '@nestjs/common';
import { type BrandId, Database } from '@app/database';

export const DEFAULT_AGENT_MIN_WITHDRAWAL_LIMIT = '10000.00';

export interface BankOption {
  bank_id: string;
  name: string;
}

export const DEFAULT_BANK_LIST: readonly BankOption[] = Object.freeze([
  { bank_id: 'KB', name: 'KB Kookmin Bank' },
  { bank_id: 'SHINHAN', name: 'Shinhan Bank' },
  { bank_id: 'WOORI', name: 'Woori Bank' },
  { bank_id: 'HANA', name: 'Hana Bank' },
  { bank_id: 'NH', name: 'NongHyup Bank' },
  { bank_id: 'IBK', name: 'IBK Industrial Bank of Korea' },
  { bank_id: 'KAKAO', name: 'KakaoBank' },
  { bank_id: 'TOSS', name: 'Toss Bank' },
]);

function moneyText(value: unknown): string | null {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(n) && n >= 0 ? n.toFixed(2) : null;
}

function bankList(value: unknown): BankOption[] | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const banks: BankOption[] = [];
  for (const item of value) {
    const bank = item as Record<string, unknown>;
    if (
      typeof bank?.bank_id !== 'string' ||
      typeof bank.name !== 'string' ||
      !/^[A-Za-z0-9_-]{1,32}$/.test(bank.bank_id)
    )
      return null;
    banks.push({ bank_id: bank.bank_id, name: bank.name });
  }
  return banks;
}

@Injectable()
export class BrandSettings {
  constructor(private readonly db: Database) {}

  async values(brandId: BrandId, keys: string[]): Promise<Map<string, unknown>> {
    const result = await this.db.brandTransaction(brandId, (tx) =>
      tx.sql<{ key: string; value: unknown }>(
        `SELECT key, value FROM brand_config WHERE brand_id = $1 AND key = ANY($2::text[])`,
        [keys],
      ),
    );
    return new Map(result.rows.map((row) => [row.key, row.value]));
  }

  async agentMinWithdrawalLimit(brandId: BrandId): Promise<string> {
    const values = await this.values(brandId, ['agent_min_withdrawal_limit']);
    return moneyText(values.get('agent_min_withdrawal_limit')) ?? DEFAULT_AGENT_MIN_WITHDRAWAL_LIMIT;
  }

  async banks(brandId: BrandId): Promise<BankOption[]> {
    const values = await this.values(brandId, ['bank_list']);
    return bankList(values.get('bank_list')) ?? [...DEFAULT_BANK_LIST];
  }
}
