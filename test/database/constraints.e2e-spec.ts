/**
 * Database-enforced rules of ADR-009 and the seeds: audit tables are
 * append-only; player uniqueness is (brand_id, account); a domain belongs to
 * exactly one agent and brand (UNIQUE(domain) + UNIQUE(agent_id, brand_id,
 * domain)); agents are global and allow-listed per brand.
 */
import { Client } from 'pg';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';

describe('schema constraints', () => {
  let db: SuiteDatabase;
  let client: Client;
  let brandB: number;
  let agentId: number;
  let otherAgentId: number;

  const code = async (sql: string, params: unknown[] = []): Promise<string | undefined> => {
    try {
      await client.query(sql, params);
      return undefined;
    } catch (err) {
      return (err as { code?: string }).code;
    }
  };

  beforeAll(async () => {
    db = await createSuiteDatabase('constraints');
    client = new Client({ connectionString: db.url });
    await client.connect();
    brandB = (
      await client.query(
        `INSERT INTO brand (brand_code, name, default_currency) VALUES ('bb', 'Brand B', 'USD') RETURNING id`,
      )
    ).rows[0].id;
    agentId = Number(
      (await client.query(`INSERT INTO agent (account, password_hash) VALUES ('agent1', 'h') RETURNING guid`))
        .rows[0].guid,
    );
    otherAgentId = Number(
      (await client.query(`INSERT INTO agent (account, password_hash) VALUES ('agent2', 'h') RETURNING guid`))
        .rows[0].guid,
    );
  });

  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  describe('append-only audit tables', () => {
    beforeAll(async () => {
      await client.query(
        `INSERT INTO admin_audit (brand_id, operator_id, action, resource) VALUES (0, '1', 'BRAND_CREATE', 'brand')`,
      );
      await client.query(
        `INSERT INTO recovery_audit (brand_id, subject_type, action, outcome, contact_hash)
         VALUES (1, 'player', 'REQUEST', 'accepted', repeat('a', 64))`,
      );
      await client.query(
        `INSERT INTO brand_config_audit (brand_id, key, new_value, operator_id) VALUES (1, 'rebate_rate', '0.1', '1')`,
      );
    });

    it.each(['admin_audit', 'recovery_audit', 'brand_config_audit'])(
      '%s refuses UPDATE, DELETE and TRUNCATE',
      async (table) => {
        expect(await code(`UPDATE ${table} SET created_at = now()`)).toBe('42501');
        expect(await code(`DELETE FROM ${table}`)).toBe('42501');
        expect(await code(`TRUNCATE ${table}`)).toBe('42501');
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect(rows[0].n).toBe(1);
      },
    );

    it('admin_audit accepts brand_id 0 (global action) and recovery_audit only player/agent subjects', async () => {
      expect(
        await code(
          `INSERT INTO admin_audit (brand_id, operator_id, action, resource) VALUES (0, '1', 'X', 'brand')`,
        ),
      ).toBeUndefined();
      expect(
        await code(
          `INSERT INTO recovery_audit (brand_id, subject_type, action, outcome) VALUES (0, 'admin', 'REQUEST', 'x')`,
        ),
      ).toBe('23514');
    });
  });

  describe('player identity is per brand', () => {
    it('allows the same account in two brands and refuses it twice in one brand', async () => {
      const insert = (brand: number) =>
        code(`INSERT INTO player (brand_id, account, password_hash) VALUES ($1, 'alice', 'h')`, [brand]);
      expect(await insert(1)).toBeUndefined();
      expect(await insert(brandB)).toBeUndefined();
      expect(await insert(1)).toBe('23505');
      const { rows } = await client.query(
        `SELECT brand_id, account FROM player WHERE account = 'alice' ORDER BY brand_id`,
      );
      expect(rows).toEqual([
        { brand_id: 1, account: 'alice' },
        { brand_id: brandB, account: 'alice' },
      ]);
    });

    it('refuses a player of an unknown brand', async () => {
      expect(
        await code(`INSERT INTO player (brand_id, account, password_hash) VALUES (999, 'bob', 'h')`),
      ).toBe('23503');
    });
  });

  describe('agent_domain: a domain belongs to one agent and one brand', () => {
    const addDomain = (agent: number, brand: number, domain: string) =>
      code(`INSERT INTO agent_domain (agent_id, brand_id, domain) VALUES ($1, $2, $3)`, [
        agent,
        brand,
        domain,
      ]);

    it('accepts one agent with different domains in two brands', async () => {
      expect(await addDomain(agentId, 1, 'a.example.com')).toBeUndefined();
      expect(await addDomain(agentId, brandB, 'b.example.com')).toBeUndefined();
    });

    it('refuses a domain reused by another brand, another agent or the same pair', async () => {
      expect(await addDomain(agentId, brandB, 'a.example.com')).toBe('23505');
      expect(await addDomain(otherAgentId, 1, 'a.example.com')).toBe('23505');
      expect(await addDomain(agentId, 1, 'a.example.com')).toBe('23505');
    });

    it('keeps both unique constraints', async () => {
      const { rows } = await client.query(
        `SELECT conname FROM pg_constraint WHERE conrelid = 'agent_domain'::regclass AND contype = 'u' ORDER BY conname`,
      );
      expect(rows.map((r) => r.conname)).toEqual([
        'agent_domain_agent_brand_domain_key',
        'agent_domain_domain_key',
      ]);
    });
  });

  describe('agents are global and allow-listed per brand', () => {
    it('keys agent_brand and agent_setting by (agent_id, brand_id)', async () => {
      expect(
        await code(`INSERT INTO agent_brand (agent_id, brand_id) VALUES ($1, 1), ($1, $2)`, [
          agentId,
          brandB,
        ]),
      ).toBeUndefined();
      expect(await code(`INSERT INTO agent_brand (agent_id, brand_id) VALUES ($1, 1)`, [agentId])).toBe(
        '23505',
      );
      expect(
        await code(`INSERT INTO agent_brand (agent_id, brand_id, status) VALUES ($1, 1, 'maybe')`, [
          otherAgentId,
        ]),
      ).toBe('23514');
      expect(
        await code(
          `INSERT INTO agent_setting (agent_id, brand_id, registration_mode) VALUES ($1, 1, 'open'), ($1, $2, 'closed')`,
          [agentId, brandB],
        ),
      ).toBeUndefined();
      expect(await code(`INSERT INTO agent_setting (agent_id, brand_id) VALUES ($1, 1)`, [agentId])).toBe(
        '23505',
      );
    });

    it('refuses a second agent with the same account, whatever the brand', async () => {
      expect(await code(`INSERT INTO agent (account, password_hash) VALUES ('agent1', 'h')`)).toBe('23505');
    });
  });

  describe('outbox', () => {
    it('refuses a duplicate event_id and an unknown status', async () => {
      const insert = (eventId: string, status = 'pending') =>
        code(
          `INSERT INTO player_outbox (event_id, brand_id, event_type, aggregate_type, aggregate_id, envelope, status)
           VALUES ($1, 1, 'PLAYER_REGISTERED', 'player', '1', '{}', $2)`,
          [eventId, status],
        );
      expect(await insert('6f1c1d7e-33a0-4b43-9a57-4b8a1a2f0c01')).toBeUndefined();
      expect(await insert('6f1c1d7e-33a0-4b43-9a57-4b8a1a2f0c01')).toBe('23505');
      expect(await insert('6f1c1d7e-33a0-4b43-9a57-4b8a1a2f0c02', 'sent')).toBe('23514');
    });
  });
});
