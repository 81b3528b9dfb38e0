import { findUnscopedReason } from './sql-guard';

const accepted = (sql: string) => expect(findUnscopedReason(sql)).toBeNull();
const refused = (sql: string, reason?: RegExp) => {
  const why = findUnscopedReason(sql);
  expect(why).not.toBeNull();
  if (reason) expect(why).toMatch(reason);
};

describe('findUnscopedReason (run-time brand-scope guard)', () => {
  describe('accepts statements pinned to brand_id = $1', () => {
    it.each([
      'SELECT id, account FROM player WHERE brand_id = $1 AND account = $2',
      'select id from player where brand_id=$1',
      'SELECT id FROM public.player p WHERE p.brand_id = $1::int AND p.id = $2 FOR UPDATE',
      'SELECT count(*) FROM player_deposit AS d WHERE d.brand_id = $1 AND (d.status = $2 OR d.status = $3)',
      `SELECT p.id, d.amount FROM player p
         JOIN player_deposit d ON d.player_id = p.id AND d.brand_id = p.brand_id
        WHERE p.brand_id = $1 AND p.id = $2`,
      `SELECT a.account FROM agent_brand ab JOIN agent a ON a.guid = ab.agent_id WHERE ab.brand_id = $1 AND ab.status = 'enabled'`,
      'SELECT * FROM player_balance_log WHERE brand_id = $1 ORDER BY created_at DESC LIMIT $2 OFFSET $3',
      'UPDATE player SET status = $2, updated_at = now() WHERE brand_id = $1 AND id = $3 RETURNING id',
      'UPDATE player p SET level = p.level + 1 WHERE p.brand_id = $1 AND p.id = ANY($2::bigint[])',
      'DELETE FROM brand_provider_config WHERE brand_id = $1 AND provider_id = $2',
      'DELETE FROM brand_provider_config WHERE brand_id = $1',
      'INSERT INTO player (brand_id, account, password_hash) VALUES ($1, $2, $3) RETURNING id',
      'INSERT INTO player_message (title, brand_id, player_id, content) VALUES ($2, $1, $3, $4), ($5, $1, $6, $7)',
      `INSERT INTO brand_config (brand_id, key, value) VALUES ($1, $2, $3::jsonb)
         ON CONFLICT (brand_id, key) DO UPDATE SET value = EXCLUDED.value WHERE brand_config.key <> 'x'`,
      'INSERT INTO coupon_log (brand_id, coupon_id, action) SELECT $1::int, c.id, $2 FROM coupon c WHERE c.brand_id = $1 AND c.id = $3',
      `WITH recent AS (SELECT id FROM player WHERE brand_id = $1 AND created_at > now() - interval '1 day')
         SELECT count(*) FROM recent`,
      'SELECT id FROM player WHERE brand_id = $1 AND agent_id IN (SELECT agent_id FROM agent_brand WHERE brand_id = $1)',
      "SELECT 1 FROM player WHERE brand_id = $1 AND account = 'it''s -- not a comment; FROM coupon'",
      'SELECT set_config($2, $1::text, true)',
      'SELECT now()',
      'SELECT guid, account FROM agent WHERE account = $2',
      'SELECT id FROM player WHERE brand_id = $1 -- trailing comment with FROM coupon\n',
      'SELECT id FROM player WHERE brand_id = $1;',
      'SELECT x FROM player WHERE brand_id = $1 UNION ALL SELECT y FROM coupon WHERE brand_id = $1',
      'SELECT extract(year FROM created_at) FROM player WHERE brand_id = $1',
    ])('%s', (sql) => accepted(sql));
  });

  describe('refuses brand-scoped statements without the pin', () => {
    it.each<[string, RegExp]>([
      ['SELECT * FROM player', /no WHERE brand_id/],
      ['SELECT * FROM player WHERE account = $1', /first WHERE predicate/],
      ['SELECT * FROM player WHERE account = $2 AND brand_id = $1', /first WHERE predicate/],
      ['SELECT * FROM player WHERE brand_id = $2', /first WHERE predicate/],
      ['SELECT * FROM player WHERE brand_id = 1', /first WHERE predicate/],
      ['SELECT * FROM player WHERE brand_id = $1 OR account = $2', /top-level OR/],
      ['SELECT * FROM player WHERE brand_id = $1 AND account = $2 OR 1 = 1', /top-level OR/],
      ['SELECT * FROM player WHERE brand_id IN ($1, $2)', /first WHERE predicate/],
      ['SELECT * FROM "player" WHERE 1=1', /first WHERE predicate/],
      ['SELECT * FROM public.player_deposit WHERE status = $2', /first WHERE predicate/],
      [
        'SELECT * FROM player p JOIN player_deposit d ON d.player_id = p.id WHERE p.brand_id = $1',
        /player_deposit is not tied/,
      ],
      ['SELECT * FROM player p, coupon c WHERE p.brand_id = $1 AND c.player_id = p.id', /coupon is not tied/],
      [
        'SELECT * FROM player p JOIN agent a ON a.guid = p.agent_id WHERE a.brand_id = $1',
        /does not name a brand-scoped/,
      ],
      [
        'SELECT * FROM player p JOIN coupon c ON c.player_id = p.id AND c.brand_id = p.brand_id WHERE brand_id = $1',
        /qualify/,
      ],
      [
        'SELECT id FROM agent WHERE guid IN (SELECT agent_id FROM agent_brand WHERE status = $1)',
        /first WHERE predicate/,
      ],
      ['WITH x AS (SELECT * FROM player) SELECT * FROM x', /no WHERE brand_id/],
      ['SELECT x FROM player WHERE brand_id = $1 UNION SELECT y FROM coupon', /no WHERE brand_id/],
      ['UPDATE player SET status = $2 WHERE id = $3', /first WHERE predicate/],
      ['UPDATE player SET status = $1', /no WHERE brand_id/],
      ['DELETE FROM coupon WHERE id = $2', /first WHERE predicate/],
      ['DELETE FROM coupon', /no WHERE brand_id/],
      ['INSERT INTO player (account, password_hash) VALUES ($2, $3)', /must set brand_id/],
      ['INSERT INTO player (brand_id, account) VALUES ($2, $3)', /value \$1/],
      ['INSERT INTO player (brand_id, account) VALUES ($1, $2), ($3, $4)', /value \$1/],
      ['INSERT INTO player VALUES ($1, $2)', /must list its columns/],
      [
        'INSERT INTO player (brand_id, account) SELECT brand_id, account FROM player WHERE brand_id = $1',
        /select \$1/,
      ],
      ['TRUNCATE player_outbox', /cannot be brand-scoped/],
      ['SELECT id FROM player WHERE brand_id = $1; DELETE FROM player', /one statement/],
      ["SELECT id FROM player WHERE brand_id = $1 AND account = 'unterminated", /unterminated/],
    ])('%s', (sql, reason) => refused(sql, reason));
  });

  it('ignores brand-scoped table names inside string literals and comments', () => {
    accepted("SELECT 'FROM player' AS label");
    accepted('SELECT 1 /* DELETE FROM player */');
    accepted('SELECT $tag$ FROM coupon $tag$ AS t');
  });
});
