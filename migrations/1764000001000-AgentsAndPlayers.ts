/**
 * ADR-009 identities: agents are global (no brand_id) and allow-listed per
 * brand through agent_brand, the only record of an agent's brand membership;
 * agent_setting is keyed (agent_id, brand_id); agent_domain keeps its
 * surrogate guid with UNIQUE(domain) plus UNIQUE(agent_id, brand_id, domain),
 * so a domain belongs to exactly one brand and one agent. Players are
 * per-brand: UNIQUE(brand_id, account). PII columns (phone_num, bank_num,
 * card_number, email) hold ciphertext (seed 000/001, aesgcm:v1); *_hash
 * columns hold a keyed digest so recovery can find an account by contact.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AgentsAndPlayers1764000001000 implements MigrationInterface {
  name = 'AgentsAndPlayers1764000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE agent (
        guid bigserial PRIMARY KEY,
        account text NOT NULL,
        password_hash text NOT NULL,
        nickname text NULL,
        phone_num text NULL,
        phone_hash text NULL,
        email text NULL,
        email_hash text NULL,
        bank_name text NULL,
        bank_num text NULL,
        card_number text NULL,
        holder_name text NULL,
        parent_id bigint NULL REFERENCES agent (guid),
        level integer NOT NULL DEFAULT 1,
        status text NOT NULL DEFAULT 'enabled',
        balance numeric(20, 2) NOT NULL DEFAULT 0,
        commission_rate numeric(7, 4) NOT NULL DEFAULT 0,
        locked boolean NOT NULL DEFAULT false,
        last_login_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agent_account_key UNIQUE (account),
        CONSTRAINT agent_status_check CHECK (status IN ('enabled', 'disabled')),
        CONSTRAINT agent_commission_rate_check CHECK (commission_rate >= 0)
      )`);
    await q.query(`CREATE INDEX agent_parent_idx ON agent (parent_id)`);
    await q.query(`CREATE INDEX agent_phone_hash_idx ON agent (phone_hash)`);
    await q.query(`CREATE INDEX agent_email_hash_idx ON agent (email_hash)`);

    await q.query(`
      CREATE TABLE agent_brand (
        agent_id bigint NOT NULL REFERENCES agent (guid),
        brand_id integer NOT NULL REFERENCES brand (id),
        status text NOT NULL DEFAULT 'enabled',
        updated_by text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agent_brand_pkey PRIMARY KEY (agent_id, brand_id),
        CONSTRAINT agent_brand_status_check CHECK (status IN ('enabled', 'disabled'))
      )`);
    await q.query(`CREATE INDEX agent_brand_brand_idx ON agent_brand (brand_id, agent_id)`);

    await q.query(`
      CREATE TABLE agent_setting (
        agent_id bigint NOT NULL REFERENCES agent (guid),
        brand_id integer NOT NULL REFERENCES brand (id),
        registration_mode text NOT NULL DEFAULT 'open',
        settings jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agent_setting_pkey PRIMARY KEY (agent_id, brand_id)
      )`);
    await q.query(`CREATE INDEX agent_setting_brand_idx ON agent_setting (brand_id, agent_id)`);

    await q.query(`
      CREATE TABLE agent_domain (
        guid bigserial PRIMARY KEY,
        agent_id bigint NOT NULL REFERENCES agent (guid),
        brand_id integer NOT NULL REFERENCES brand (id),
        domain text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT agent_domain_domain_key UNIQUE (domain),
        CONSTRAINT agent_domain_agent_brand_domain_key UNIQUE (agent_id, brand_id, domain),
        CONSTRAINT agent_domain_lowercase_check CHECK (domain = lower(domain))
      )`);
    await q.query(`CREATE INDEX agent_domain_brand_idx ON agent_domain (brand_id, agent_id)`);

    await q.query(`
      CREATE TABLE level_domain (
        id serial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        level integer NOT NULL,
        domain text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT level_domain_domain_key UNIQUE (domain),
        CONSTRAINT level_domain_lowercase_check CHECK (domain = lower(domain))
      )`);
    await q.query(`CREATE INDEX level_domain_brand_idx ON level_domain (brand_id, level)`);

    await q.query(`
      CREATE TABLE player (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        account text NOT NULL,
        password_hash text NOT NULL,
        nickname text NULL,
        phone_num text NULL,
        phone_hash text NULL,
        email text NULL,
        email_hash text NULL,
        bank_name text NULL,
        bank_num text NULL,
        holder_name text NULL,
        agent_id bigint NULL REFERENCES agent (guid),
        level integer NOT NULL DEFAULT 1,
        status text NOT NULL DEFAULT 'enabled',
        register_ip text NULL,
        last_login_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT player_brand_account_key UNIQUE (brand_id, account),
        CONSTRAINT player_status_check CHECK (status IN ('enabled', 'disabled', 'locked'))
      )`);
    await q.query(`CREATE INDEX player_brand_agent_idx ON player (brand_id, agent_id)`);
    await q.query(`CREATE INDEX player_brand_phone_hash_idx ON player (brand_id, phone_hash)`);
    await q.query(`CREATE INDEX player_brand_email_hash_idx ON player (brand_id, email_hash)`);
    // brand-create checks a new brand_code against namespaced accounts of every brand (ADR-009).
    await q.query(`CREATE INDEX player_account_prefix_idx ON player (account text_pattern_ops)`);

    await q.query(`
      CREATE TABLE player_message (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        player_id bigint NOT NULL REFERENCES player (id),
        title text NOT NULL,
        content text NOT NULL,
        is_read boolean NOT NULL DEFAULT false,
        read_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX player_message_brand_player_idx ON player_message (brand_id, player_id, id)`);

    await q.query(`
      CREATE TABLE agent_message (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        agent_id bigint NOT NULL REFERENCES agent (guid),
        title text NOT NULL,
        content text NOT NULL,
        is_read boolean NOT NULL DEFAULT false,
        read_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX agent_message_brand_agent_idx ON agent_message (brand_id, agent_id, id)`);

    await q.query(`
      CREATE TABLE player_notice (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        kind text NOT NULL DEFAULT 'notice',
        title text NOT NULL,
        content text NOT NULL,
        is_show boolean NOT NULL DEFAULT true,
        sort integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX player_notice_brand_idx ON player_notice (brand_id, is_show, sort)`);

    await q.query(`
      CREATE TABLE banner (
        id bigserial PRIMARY KEY,
        brand_id integer NOT NULL REFERENCES brand (id),
        title text NOT NULL DEFAULT '',
        image_url text NOT NULL,
        link_url text NULL,
        position text NOT NULL DEFAULT 'home',
        is_show boolean NOT NULL DEFAULT true,
        sort integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX banner_brand_idx ON banner (brand_id, is_show, sort)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'banner',
      'player_notice',
      'agent_message',
      'player_message',
      'player',
      'level_domain',
      'agent_domain',
      'agent_setting',
      'agent_brand',
      'agent',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
