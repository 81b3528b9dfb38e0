/**
 * Brand-scoped operational tables that admin reads and writes only under one
 * resolved brand (seed 004: "routes that read or write brand-scoped
 * operational tables ... must apply it as a SQL predicate"): deposits,
 * withdrawals (bank_num / card_number hold ciphertext, seed 001), coupons and
 * their logs, balance and login logs (the T16-A logs.py tables) and the daily
 * brand rollups. Every table leads an index with brand_id.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

const MONEY = 'numeric(20, 2)';

export class MoneyAndLogs1764000002000 implements MigrationInterface {
  name = 'MoneyAndLogs1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE player_deposit (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        player_id bigint NOT NULL REFERENCES player (id),
        amount ${MONEY} NOT NULL,
        channel text NOT NULL DEFAULT 'bank',
        status text NOT NULL DEFAULT 'pending',
        depositor_name text NULL,
        transaction_id text NULL,
        operator_id text NULL,
        remark text NULL,
        processed_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT player_deposit_amount_check CHECK (amount > 0)
      )`);
    await q.query(
      `CREATE INDEX player_deposit_brand_status_idx ON player_deposit (brand_id, status, created_at)`,
    );
    await q.query(
      `CREATE INDEX player_deposit_brand_player_idx ON player_deposit (brand_id, player_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE player_withdraw (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        player_id bigint NOT NULL REFERENCES player (id),
        amount ${MONEY} NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        bank_name text NULL,
        bank_num text NULL,
        holder_name text NULL,
        transaction_id text NULL,
        operator_id text NULL,
        remark text NULL,
        reviewed_at timestamptz NULL,
        paid_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT player_withdraw_amount_check CHECK (amount > 0)
      )`);
    await q.query(
      `CREATE INDEX player_withdraw_brand_status_idx ON player_withdraw (brand_id, status, created_at)`,
    );
    await q.query(
      `CREATE INDEX player_withdraw_brand_player_idx ON player_withdraw (brand_id, player_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE agent_withdraw (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        agent_id bigint NOT NULL REFERENCES agent (guid),
        amount ${MONEY} NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        bank_name text NULL,
        bank_num text NULL,
        card_number text NULL,
        holder_name text NULL,
        transaction_id text NULL,
        operator_id text NULL,
        remark text NULL,
        processed_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agent_withdraw_amount_check CHECK (amount > 0)
      )`);
    await q.query(
      `CREATE INDEX agent_withdraw_brand_status_idx ON agent_withdraw (brand_id, status, created_at)`,
    );
    await q.query(
      `CREATE INDEX agent_withdraw_brand_agent_idx ON agent_withdraw (brand_id, agent_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE coupon (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        agent_id bigint NULL REFERENCES agent (guid),
        player_id bigint NULL REFERENCES player (id),
        amount ${MONEY} NOT NULL,
        status text NOT NULL DEFAULT 'granted',
        remark text NULL,
        expires_at timestamptz NULL,
        used_at timestamptz NULL,
        recycled_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT coupon_amount_check CHECK (amount > 0)
      )`);
    await q.query(`CREATE INDEX coupon_brand_player_idx ON coupon (brand_id, player_id, created_at)`);
    await q.query(`CREATE INDEX coupon_brand_agent_idx ON coupon (brand_id, agent_id, created_at)`);

    await q.query(`
      CREATE TABLE coupon_log (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        coupon_id bigint NULL REFERENCES coupon (id),
        agent_id bigint NULL,
        player_id bigint NULL,
        action text NOT NULL,
        amount ${MONEY} NOT NULL DEFAULT 0,
        operator_id text NULL,
        remark text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX coupon_log_brand_idx ON coupon_log (brand_id, created_at)`);
    await q.query(`CREATE INDEX coupon_log_brand_agent_idx ON coupon_log (brand_id, agent_id, created_at)`);

    await q.query(`
      CREATE TABLE coupon_recycle_log (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        coupon_id bigint NULL REFERENCES coupon (id),
        agent_id bigint NULL,
        player_id bigint NULL,
        amount ${MONEY} NOT NULL DEFAULT 0,
        reason text NULL,
        operator_id text NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX coupon_recycle_log_brand_idx ON coupon_recycle_log (brand_id, created_at)`);
    await q.query(
      `CREATE INDEX coupon_recycle_log_brand_agent_idx ON coupon_recycle_log (brand_id, agent_id, created_at)`,
    );

    for (const [table, subject] of [
      ['player_balance_log', 'player_id'],
      ['agent_balance_log', 'agent_id'],
    ] as const) {
      await q.query(`
        CREATE TABLE ${table} (
          id bigserial PRIMARY KEY,
          brand_id integer NOT NULL REFERENCES brand (id),
          ${subject} bigint NOT NULL,
          change_type text NOT NULL,
          amount ${MONEY} NOT NULL,
          balance_before ${MONEY} NULL,
          balance_after ${MONEY} NULL,
          ref_id text NULL,
          operator_id text NULL,
          remark text NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
      await q.query(`CREATE INDEX ${table}_brand_idx ON ${table} (brand_id, created_at)`);
      await q.query(`CREATE INDEX ${table}_brand_subject_idx ON ${table} (brand_id, ${subject}, created_at)`);
    }

    for (const [table, subject] of [
      ['player_login_log', 'player_id'],
      ['agent_login_log', 'agent_id'],
    ] as const) {
      await q.query(`
        CREATE TABLE ${table} (
          id bigserial PRIMARY KEY,
          brand_id integer NOT NULL REFERENCES brand (id),
          ${subject} bigint NULL,
          account text NOT NULL,
          success boolean NOT NULL,
          reason text NULL,
          ip text NULL,
          user_agent text NULL,
          created_at timestamptz NOT NULL DEFAULT now()
        )`);
      await q.query(`CREATE INDEX ${table}_brand_idx ON ${table} (brand_id, created_at)`);
      await q.query(`CREATE INDEX ${table}_brand_subject_idx ON ${table} (brand_id, ${subject}, created_at)`);
    }

    // agent_id 0 is the brand-wide total; other rows are one agent's share.
    await q.query(`
      CREATE TABLE daily_statistics (
        brand_id integer NOT NULL REFERENCES brand (id),
        stat_date date NOT NULL,
        agent_id bigint NOT NULL DEFAULT 0,
        registrations integer NOT NULL DEFAULT 0,
        login_players integer NOT NULL DEFAULT 0,
        deposit_count integer NOT NULL DEFAULT 0,
        deposit_amount ${MONEY} NOT NULL DEFAULT 0,
        withdraw_count integer NOT NULL DEFAULT 0,
        withdraw_amount ${MONEY} NOT NULL DEFAULT 0,
        agent_withdraw_count integer NOT NULL DEFAULT 0,
        agent_withdraw_amount ${MONEY} NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT daily_statistics_pkey PRIMARY KEY (brand_id, stat_date, agent_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'daily_statistics',
      'agent_login_log',
      'player_login_log',
      'agent_balance_log',
      'player_balance_log',
      'coupon_recycle_log',
      'coupon_log',
      'coupon',
      'agent_withdraw',
      'player_withdraw',
      'player_deposit',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
