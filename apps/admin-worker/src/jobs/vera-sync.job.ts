/**
 * Optional Vera sync (seed 004 "optional Vera sync"): off unless
 * VERA_SYNC_URL is set. When on, brand by brand it POSTs the brand's
 * closed day (yesterday in ADMIN_WORKER_TIMEZONE) from daily_statistics
 * (the agent_id 0 brand total) as JSON, with `X-Brand-Id`; a non-2xx answer
 * or a timeout (DOWNSTREAM_TIMEOUT_MS) fails the run after every brand was
 * tried (forEachBrand), so one brand's failure does not starve the others.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { BrandCatalog, type CatalogBrand } from './brand-catalog';
import type { AdminJob, BrandResult, JobSummary } from './job';
import { JobTransactions } from './job-transactions';
import { forEachBrand } from './per-brand';
import { addDays, localDate } from './worker-clock';
import { WORKER_OPTIONS, type WorkerOptions } from './worker-options';

interface StatRow {
  registrations: number;
  login_players: number;
  deposit_count: number;
  deposit_amount: string;
  withdraw_count: number;
  withdraw_amount: string;
  agent_withdraw_count: number;
  agent_withdraw_amount: string;
}

@Injectable()
export class VeraSyncJob implements AdminJob {
  readonly name = 'vera_sync';

  constructor(
    private readonly transactions: JobTransactions,
    private readonly brands: BrandCatalog,
    @Inject(WORKER_OPTIONS) private readonly options: WorkerOptions,
  ) {}

  get enabled(): boolean {
    return this.options.veraSyncUrl !== null;
  }

  async run(now: Date): Promise<JobSummary> {
    const url = this.options.veraSyncUrl;
    if (url === null) return { skipped: 'VERA_SYNC_URL is not set' };
    const day = addDays(localDate(now, this.options.timeZone), -1);
    return forEachBrand(
      this.name,
      await this.brands.all(),
      (brand) => this.send(url, brand, day),
      (brands) => ({ day, brands }),
    );
  }

  private async send(url: string, brand: CatalogBrand, day: string): Promise<BrandResult> {
    const { rows } = await this.transactions.brand(brand.id, (tx) =>
      tx.sql<StatRow>(
        `SELECT registrations, login_players, deposit_count, deposit_amount, withdraw_count, withdraw_amount,
                agent_withdraw_count, agent_withdraw_amount
           FROM daily_statistics WHERE brand_id = $1 AND stat_date = $2::date AND agent_id = 0`,
        [day],
      ),
    );
    const payload = {
      brand_id: brand.id,
      brand_code: brand.brandCode,
      stat_date: day,
      statistics: rows[0] ?? null,
    };
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-brand-id': String(brand.id),
        'x-request-id': randomUUID(),
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.options.downstreamTimeoutMs),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return { brand_id: brand.id, sent: true };
  }
}
