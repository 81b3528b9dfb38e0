/**
 * A two-brand agent tree with money rows, shared by the portal and the
 * legacy-alias suites:
 *
 *   top (alpha + beta) ── sub (alpha) ── grand (alpha)
 *                      └─ subBeta (beta only)
 *   other (alpha): an unrelated agent
 *
 * alpha players: p1, p2 (top), p3 (sub), p4 (grand), pOther (other);
 * beta player: pBeta (top). Deposits/withdrawals below are chosen so that
 * brand beta's and the non-counted statuses' amounts would show if any query
 * leaked across brands or statuses.
 */
import type { AgentRow, Harness } from './support';
import { twoBrands } from './support';

export interface PortalFixture {
  alpha: number;
  beta: number;
  hostA: string;
  hostB: string;
  top: AgentRow;
  sub: AgentRow;
  grand: AgentRow;
  subBeta: AgentRow;
  other: AgentRow;
  tokenA: string;
  tokenB: string;
  players: { p1: number; p2: number; p3: number; p4: number; pOther: number; pBeta: number };
  providers: { p1: number; p2: number; hidden: number };
  messages: { m1: number; m2: number; m3: number; mBeta: number };
}

const DAY = 86_400_000;

export function daysAgoIso(days: number): string {
  return new Date(Date.now() - days * DAY).toISOString();
}

export async function buildPortal(h: Harness): Promise<PortalFixture> {
  const { alpha, beta, hostA, hostB } = await twoBrands(h);
  const top = await h.createAgent({ balance: '100000', commissionRate: '0.1000', bank: true });
  const sub = await h.createAgent({ parentId: top.id, commissionRate: '0.0800' });
  const grand = await h.createAgent({ parentId: sub.id });
  const subBeta = await h.createAgent({ parentId: top.id });
  const other = await h.createAgent({});
  for (const a of [top, sub, grand, other]) await h.setAgentBrand(a.id, alpha, 'enabled');
  await h.setAgentBrand(top.id, beta, 'enabled');
  await h.setAgentBrand(subBeta.id, beta, 'enabled');

  const p1 = await h.createPlayer(alpha, top.id);
  const p2 = await h.createPlayer(alpha, top.id);
  const p3 = await h.createPlayer(alpha, sub.id);
  const p4 = await h.createPlayer(alpha, grand.id);
  const pOther = await h.createPlayer(alpha, other.id);
  const pBeta = await h.createPlayer(beta, top.id);

  const deposit = (brand: number, player: number, amount: string, status: string, at: string) =>
    h.pg.query(
      `INSERT INTO player_deposit (brand_id, player_id, amount, status, processed_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)`,
      [brand, player, amount, status, at],
    );
  const withdraw = (brand: number, player: number, amount: string, status: string, at: string) =>
    h.pg.query(
      `INSERT INTO player_withdraw (brand_id, player_id, amount, status, paid_at, created_at) VALUES ($1, $2, $3, $4, $5, $5)`,
      [brand, player, amount, status, at],
    );
  const now = new Date().toISOString();
  await deposit(alpha, p1, '10000', 'approved', now);
  await deposit(alpha, p1, '5000', 'approved', daysAgoIso(2));
  await deposit(alpha, p2, '7000', 'pending', now);
  await deposit(alpha, p3, '20000', 'approved', now);
  await deposit(alpha, p4, '3000', 'approved', now);
  await deposit(alpha, pOther, '11111', 'approved', now);
  await deposit(beta, pBeta, '99999', 'approved', now);
  await withdraw(alpha, p1, '4000', 'paid', now);
  await withdraw(alpha, p2, '1000', 'review_agreed', now);
  await withdraw(beta, pBeta, '50000', 'paid', now);
  await h.pg.query(
    `INSERT INTO agent_balance_log (brand_id, agent_id, change_type, amount) VALUES ($1, $3, 'commission', 500), ($2, $3, 'commission', 700), ($1, $3, 'withdraw', -100)`,
    [alpha, beta, top.id],
  );

  const provider = async (code: string, show: boolean) =>
    (
      await h.pg.query<{ id: number }>(
        `INSERT INTO provider (code, name, is_show) VALUES ($1, $2, $3) RETURNING id`,
        [`${code}${h.tag}`, `Provider ${code}`, show],
      )
    ).rows[0].id;
  const prov1 = await provider('evo', true);
  const prov2 = await provider('pp', true);
  const hidden = await provider('old', false);
  await h.pg.query(
    `INSERT INTO brand_provider_config (brand_id, provider_id, enabled) VALUES ($1, $3, true), ($1, $4, false), ($1, $5, true), ($2, $4, true)`,
    [alpha, beta, prov1, prov2, hidden],
  );

  const message = async (brand: number, read: boolean) =>
    Number(
      (
        await h.pg.query<{ id: string }>(
          `INSERT INTO agent_message (brand_id, agent_id, title, content, is_read) VALUES ($1, $2, 'Notice', 'Body', $3) RETURNING id`,
          [brand, top.id, read],
        )
      ).rows[0].id,
    );
  const m1 = await message(alpha, false);
  const m2 = await message(alpha, false);
  const m3 = await message(alpha, true);
  const mBeta = await message(beta, false);

  return {
    alpha,
    beta,
    hostA,
    hostB,
    top,
    sub,
    grand,
    subBeta,
    other,
    tokenA: await h.login(top, hostA),
    tokenB: await h.login(top, hostB),
    players: { p1, p2, p3, p4, pOther, pBeta },
    providers: { p1: prov1, p2: prov2, hidden },
    messages: { m1, m2, m3, mBeta },
  };
}
