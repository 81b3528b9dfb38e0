/**
 * bench:rls (issue #8): what PostgreSQL row-level security costs the player
 * service on two paths, measured against the same service on the same data
 * with row security switched off.
 *
 * Method:
 * 1. two fresh databases set up and migrated by the CLI (`db:setup`,
 *    `migrate`, owner and app roles); on the second, the owner runs
 *    `ALTER TABLE … NO FORCE ROW LEVEL SECURITY; ALTER TABLE … DISABLE ROW
 *    LEVEL SECURITY` on every brand-scoped table
 *    (libs/database/src/brand-scoped-tables.json). The policies stay defined
 *    but are not applied. The bench checks both states before measuring;
 * 2. both get the same data: a second brand, then for each of the two
 *    brands BENCH_PLAYERS players registered through the API (same order, so
 *    same ids) and BENCH_MESSAGES player_message rows per player whose text
 *    names the brand, then ANALYZE;
 * 3. one built `dist/apps/player/main.js` per database, started as the APP
 *    role (the service refuses anything else), both up for the whole bench;
 *    the code is identical, so both still run `set_config('app.brand_id', …,
 *    true)` in every brand transaction: the difference measured is the policy
 *    evaluation alone;
 * 4. autocannon, BENCH_CONNECTIONS connections, BENCH_SECONDS per
 *    measurement, rotating over the players of BOTH brands:
 *    (a) login: POST /internal/players/login (the bench:login path: scrypt,
 *        RS256, last_login_at update + player_login_log insert, session SET);
 *    (b) messages: GET /internal/players/messages (page 1 of 20, newest
 *        first, plus the total: player row, page and count in one brand
 *        transaction) with the gateway's identity headers;
 *    every response of the messages path is checked: 20 items, all of the
 *    requester's brand. One untimed warm-up per app and path (BENCH_WARMUP
 *    seconds), then BENCH_RUNS rounds; each round measures both paths on
 *    both databases, the order of the two databases alternating per round, so
 *    drift in machine load is not charged to one side. Every run is printed;
 *    the summary gives the median of each side and, as the with/without
 *    ratio, the median of the per-round ratios (both sides of a round ran
 *    back to back, under about the same load).
 *
 * Besides req/s and latency, each measurement reads the CPU time the app
 * process and its PostgreSQL backends used (/proc), per request: steadier
 * than req/s on a shared machine, and where row security's cost lands.
 *
 * (c) database alone, when `pgbench` is on PATH: in the same rounds, the
 * message path's transaction (START TRANSACTION, set_config, the three
 * SELECTs exactly as TypeORM sends them, COMMIT) as the app role with
 * BENCH_PGBENCH_CLIENTS clients for BENCH_PGBENCH_SECONDS, once with the
 * extended protocol and unnamed statements (what node-postgres does: every
 * statement parsed and planned again) and once with prepared statements
 * (plans cached per connection), so the share of planning in the cost shows.
 *
 * Env: BENCH_DATABASE_URL (a superuser on the server; default postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379/13), BENCH_PLAYERS (per brand, 20),
 * BENCH_MESSAGES (per player, 50), BENCH_SECONDS (10), BENCH_WARMUP (2),
 * BENCH_CONNECTIONS (8), BENCH_RUNS (3), BENCH_PGBENCH_SECONDS (5; 0 skips (c)),
 * BENCH_PGBENCH_CLIENTS (2).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const autocannon = require('autocannon');
const Redis = require('ioredis');
const { Pool } = require('pg');
const { APP_ROLE, ROOT, cpuMs, dropDatabase, freshDatabase, quote, startApp } = require('../shared');

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';
const PLAYERS = Number(process.env.BENCH_PLAYERS ?? 20);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PGBENCH_SECONDS = Number(process.env.BENCH_PGBENCH_SECONDS ?? 5);
const PGBENCH_CLIENTS = Number(process.env.BENCH_PGBENCH_CLIENTS ?? 2);
const TOKEN = 'bench-gateway-token';
const PASSWORD = 'bench-password-1';
const PAGE_SIZE = 20;
const GATEWAY = { 'x-caller-service': 'gateway', 'x-internal-service-token': TOKEN };
const TABLES = JSON.parse(readFileSync(join(ROOT, 'libs', 'database', 'src', 'brand-scoped-tables.json'), 'utf8')).tables;

const MODES = [
  { key: 'rls', label: 'with RLS', db: 'servers_v2_bench_rls_on' },
  { key: 'norls', label: 'RLS disabled', db: 'servers_v2_bench_rls_off' },
];



/** CPU so far of the app process and of every backend its pool holds (backends appearing later start at 0). */
async function cpuSnapshot(mode) {
  const { rows } = await mode.pool.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2`, [mode.db, APP_ROLE]);
  const backends = new Map(rows.map((r) => [r.pid, cpuMs(r.pid) ?? 0]));
  return { app: cpuMs(mode.app.child.pid) ?? 0, backends };
}

function cpuDelta(before, after) {
  let db = 0;
  for (const [pid, ms] of after.backends) db += ms - (before.backends.get(pid) ?? 0);
  return { app: after.app - before.app, db };
}

/** Switches row security off on every brand-scoped table, as their owner. */
async function disableRls(pool) {
  for (const table of TABLES) {
    await pool.query(`ALTER TABLE ${quote(table)} NO FORCE ROW LEVEL SECURITY`);
    await pool.query(`ALTER TABLE ${quote(table)} DISABLE ROW LEVEL SECURITY`);
  }
}

/** Checks the row-security state of every brand-scoped table; fails the bench when it is not what the mode says. */
async function assertRlsState(mode) {
  const { rows } = await mode.pool.query(
    `SELECT relname, relrowsecurity AS enabled, relforcerowsecurity AS forced
       FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1)`,
    [TABLES],
  );
  if (rows.length !== TABLES.length) throw new Error(`${mode.db}: ${rows.length} of ${TABLES.length} brand-scoped tables found`);
  const want = mode.key === 'rls';
  const wrong = rows.filter((r) => r.enabled !== want || r.forced !== want).map((r) => r.relname);
  if (wrong.length > 0) throw new Error(`${mode.db}: row security not ${want ? 'on' : 'off'} for ${wrong.join(', ')}`);
}

/** Brand 1 comes with the migrations; the second brand is created by the owner before the app starts. */
async function createSecondBrand(mode) {
  const brands = [1];
  const { rows } = await mode.pool.query(`INSERT INTO brand (brand_code, name, default_currency) VALUES ('rlsbench', 'rlsbench', 'KRW') RETURNING id`);
  brands.push(rows[0].id);
  return brands;
}

/** The same players in both brands (registered through the API, same order in both databases), then their messages. */
async function seedPlayers(mode, brands) {
  for (const brand of brands) {
    for (let i = 0; i < PLAYERS; i += 1) {
      const res = await fetch(`${mode.app.url}/internal/players/register`, {
        method: 'POST',
        headers: { ...GATEWAY, 'content-type': 'application/json', 'x-brand-id': String(brand) },
        body: JSON.stringify({ account: `rls_${i}`, password: PASSWORD }),
      });
      if (res.status !== 200) throw new Error(`register failed on ${mode.db}: ${await res.text()}`);
    }
  }
  await mode.pool.query(
    `INSERT INTO player_message (brand_id, player_id, title, content)
     SELECT p.brand_id, p.id, 'brand ' || p.brand_id || ' message ' || g, 'for player ' || p.id || ' of brand ' || p.brand_id
       FROM player p CROSS JOIN generate_series(1, $1) AS g
      ORDER BY p.id, g`,
    [MESSAGES],
  );
  await mode.pool.query('ANALYZE');
  const players = await mode.pool.query(`SELECT id, brand_id, account FROM player ORDER BY id`);
  return players.rows.map((r) => ({ id: Number(r.id), brand: r.brand_id, account: r.account }));
}

/** Row security visible from the app role: with no brand set, RLS shows no row, no RLS shows all. */
async function probeAppRole(appUrl) {
  const pool = new Pool({ connectionString: appUrl, max: 1 });
  try {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM player_message`);
    return rows[0].n;
  } finally {
    await pool.end();
  }
}

function loginRequest(players) {
  let next = 0;
  return {
    method: 'POST',
    path: '/internal/players/login',
    setupRequest: (req) => {
      const p = players[next++ % players.length];
      return {
        ...req,
        headers: { ...GATEWAY, 'content-type': 'application/json', 'x-brand-id': String(p.brand) },
        body: JSON.stringify({ account: p.account, password: PASSWORD }),
      };
    },
  };
}

/**
 * Interleaves the brands request by request. Each response is checked
 * against the player that asked (autocannon hands the request's context to
 * its response with one request in flight per connection).
 */
function messagesRequest(players, checker) {
  let next = 0;
  return {
    method: 'GET',
    path: '/internal/players/messages',
    setupRequest: (req, context) => {
      const p = players[next++ % players.length];
      context.player = p;
      return {
        ...req,
        headers: {
          ...GATEWAY,
          'x-brand-id': String(p.brand),
          'x-player-id': String(p.id),
          'x-player-account': p.account,
          'x-session-jti': randomUUID(),
        },
      };
    },
    onResponse: (status, body, context) => checker.check(status, body, context.player),
  };
}

/** Counts 200 answers that are not exactly one page of the requester's own messages, in the requester's brand. */
function messageChecker() {
  const state = { checked: 0, wrong: 0 };
  state.check = (status, body, player) => {
    if (status !== 200) return;
    state.checked += 1;
    let data;
    try {
      data = JSON.parse(body).data;
    } catch {
      state.wrong += 1;
      return;
    }
    const items = Array.isArray(data?.items) ? data.items : [];
    const own = (item) =>
      item.content === `for player ${player.id} of brand ${player.brand}` && item.title.startsWith(`brand ${player.brand} message `);
    if (!player || data?.total !== MESSAGES || items.length !== Math.min(PAGE_SIZE, MESSAGES) || !items.every(own)) state.wrong += 1;
  };
  return state;
}

async function measure(mode, path, players, seconds) {
  const checker = messageChecker();
  const request = path === 'login' ? loginRequest(players) : messagesRequest(players, checker);
  const before = await cpuSnapshot(mode);
  const result = await autocannon({ url: mode.app.url, connections: CONNECTIONS, duration: seconds, requests: [request] });
  const after = await cpuSnapshot(mode);
  const ok = result['2xx'];
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${mode.label} ${path}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  if (path === 'messages' && (checker.wrong > 0 || checker.checked !== ok)) {
    throw new Error(`${mode.label} messages: ${checker.wrong} of ${checker.checked} responses not the requester's brand page (${ok} 2xx)`);
  }
  const cpu = cpuDelta(before, after);
  return {
    rps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    appUs: ok > 0 ? (cpu.app * 1000) / ok : 0,
    dbUs: ok > 0 ? (cpu.db * 1000) / ok : 0,
  };
}

/**
 * The message path's transaction as the app sends it (statements copied from
 * PostgreSQL's statement log of the player app), for a random player of
 * either brand. Needs the players' ids to be contiguous per brand, which
 * sequential registration gives; checked.
 */
function pgbenchScript(players) {
  const first = players[0].id;
  players.forEach((p, i) => {
    if (p.id !== first + i || p.brand !== players[i < PLAYERS ? 0 : PLAYERS].brand) throw new Error('pgbench script: player ids not contiguous');
  });
  const cols = (alias, names) => names.map((n) => `"${alias}"."${n}" AS "${alias}_${n}"`).join(', ');
  const player = cols('Player', [
    'id', 'brand_id', 'account', 'password_hash', 'nickname', 'phone_num', 'phone_hash', 'email', 'email_hash', 'bank_name', 'bank_num',
    'holder_name', 'agent_id', 'level', 'status', 'register_ip', 'last_login_at', 'created_at', 'updated_at',
  ]);
  const message = cols('PlayerMessage', ['id', 'brand_id', 'player_id', 'title', 'content', 'is_read', 'read_at', 'created_at']);
  return [
    `\\set i random(0, ${players.length - 1})`,
    `\\set pid ${first} + :i`,
    `\\set b case when :i < ${PLAYERS} then ${players[0].brand} else ${players[PLAYERS].brand} end`,
    'START TRANSACTION;',
    `SELECT set_config('app.brand_id', :b::text, true);`,
    `SELECT ${player} FROM "player" "Player" WHERE ((("Player"."id" = :pid) AND ("Player"."brand_id" = :b))) LIMIT 1;`,
    `SELECT ${message} FROM "player_message" "PlayerMessage" WHERE ((("PlayerMessage"."player_id" = :pid) AND ("PlayerMessage"."brand_id" = :b))) ORDER BY "PlayerMessage"."id" DESC LIMIT ${PAGE_SIZE} OFFSET 0;`,
    `SELECT COUNT(1) AS "cnt" FROM "player_message" "PlayerMessage" WHERE ((("PlayerMessage"."player_id" = :pid) AND ("PlayerMessage"."brand_id" = :b)));`,
    'COMMIT;',
    '',
  ].join('\n');
}

function hasPgbench() {
  return spawnSync('pgbench', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** One pgbench run as the app role; transactions per second and average latency. */
function pgbench(mode, protocol, scriptFile) {
  const url = new URL(mode.appUrl);
  const args = ['-n', '-M', protocol, '-c', String(PGBENCH_CLIENTS), '-j', '1', '-T', String(PGBENCH_SECONDS), '-f', scriptFile];
  args.push('-h', url.hostname, '-p', url.port || '5432', '-U', decodeURIComponent(url.username), url.pathname.slice(1));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const run = spawnSync('pgbench', args, { env, encoding: 'utf8' });
  const tps = /tps = ([\d.]+)/.exec(run.stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(run.stdout)?.[1];
  const failed = /number of failed transactions: (\d+)/.exec(run.stdout)?.[1];
  if (run.status !== 0 || !tps || !latency || (failed && failed !== '0')) throw new Error(`pgbench on ${mode.db} failed: ${run.stderr || run.stdout}`);
  return { tps: Number(tps), latencyMs: Number(latency) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fmt(n, digits = 1) {
  return Number(n.toFixed(digits));
}

async function main() {
  try {
    for (const mode of MODES) {
      const { ownerUrl, appUrl } = await freshDatabase(SERVER, mode.db);
      mode.appUrl = appUrl;
      mode.pool = new Pool({ connectionString: ownerUrl, max: 2 });
      if (mode.key === 'norls') await disableRls(mode.pool);
      await assertRlsState(mode);
      const brands = await createSecondBrand(mode);
      mode.app = await startApp('player', {
        MULTI_BRAND_ENFORCEMENT: 'observe',
        DATABASE_URL: appUrl,
        REDIS_URL,
        INTERNAL_SERVICE_TOKEN_GATEWAY: TOKEN,
        PASSWORD_SALT: 'bench-pepper',
      });
      mode.players = await seedPlayers(mode, brands);
      mode.unscopedRowsSeenByAppRole = await probeAppRole(appUrl);
    }
    const [on, off] = MODES;
    if (JSON.stringify(on.players) !== JSON.stringify(off.players)) throw new Error('the two databases hold different players');
    if (on.unscopedRowsSeenByAppRole !== 0 || off.unscopedRowsSeenByAppRole !== on.players.length * MESSAGES) {
      throw new Error(`app role without a brand sees ${on.unscopedRowsSeenByAppRole} / ${off.unscopedRowsSeenByAppRole} messages`);
    }
    process.stdout.write(
      `data per database: 2 brands x ${PLAYERS} players, ${MESSAGES} messages each (${on.players.length * MESSAGES} rows); ` +
        `app role with no brand set sees ${on.unscopedRowsSeenByAppRole} rows with RLS, ${off.unscopedRowsSeenByAppRole} without\n`,
    );

    const paths = ['messages', 'login'];
    const protocols = PGBENCH_SECONDS > 0 && hasPgbench() ? ['extended', 'prepared'] : [];
    if (PGBENCH_SECONDS > 0 && protocols.length === 0) process.stdout.write('pgbench not found: (c) database alone skipped\n');
    const scriptDir = mkdtempSync(join(tmpdir(), 'bench-rls-'));
    const scriptFile = join(scriptDir, 'messages.sql');
    writeFileSync(scriptFile, pgbenchScript(on.players));
    if (WARMUP > 0) for (const mode of MODES) for (const path of paths) await measure(mode, path, mode.players, WARMUP);
    const samples = { rls: { messages: [], login: [] }, norls: { messages: [], login: [] } };
    const dbSamples = { rls: { extended: [], prepared: [] }, norls: { extended: [], prepared: [] } };
    try {
      for (let run = 1; run <= RUNS; run += 1) {
        const order = run % 2 === 1 ? [on, off] : [off, on];
        for (const path of paths) {
          for (const mode of order) {
            const s = await measure(mode, path, mode.players, SECONDS);
            samples[mode.key][path].push(s);
            process.stdout.write(
              `run ${run}/${RUNS} ${path.padEnd(8)} ${mode.label.padEnd(12)}: ${fmt(s.rps)} req/s, p50 ${s.p50} ms, p99 ${s.p99} ms, ` +
                `CPU/req app ${fmt(s.appUs, 0)} us + postgres ${fmt(s.dbUs, 0)} us\n`,
            );
          }
        }
        for (const protocol of protocols) {
          for (const mode of order) {
            const d = pgbench(mode, protocol, scriptFile);
            dbSamples[mode.key][protocol].push(d);
            process.stdout.write(
              `run ${run}/${RUNS} pgbench ${protocol.padEnd(8)} ${mode.label.padEnd(12)}: ${fmt(d.tps, 0)} tx/s, latency avg ${d.latencyMs} ms (${PGBENCH_CLIENTS} clients)\n`,
            );
          }
        }
      }
    } finally {
      rmSync(scriptDir, { recursive: true, force: true });
    }

    const summary = { connections: CONNECTIONS, seconds: SECONDS, runs: RUNS, players_per_brand: PLAYERS, messages_per_player: MESSAGES, paths: {} };
    for (const path of paths) {
      const m = (key, field) => median(samples[key][path].map((s) => s[field]));
      const side = (key) => ({
        rps: fmt(m(key, 'rps')),
        p50_ms: m(key, 'p50'),
        p99_ms: m(key, 'p99'),
        cpu_us_per_req: { app: fmt(m(key, 'appUs'), 0), postgres: fmt(m(key, 'dbUs'), 0) },
        rps_runs: samples[key][path].map((s) => fmt(s.rps)),
      });
      const rls = side('rls');
      const norls = side('norls');
      // Each round measured both sides back to back: its own ratio is the least exposed to drifting machine load.
      const paired = (field) => samples.rls[path].map((s, i) => s[field] / samples.norls[path][i][field]);
      summary.paths[path] = {
        with_rls: rls,
        rls_disabled: norls,
        ratio_with_over_without: {
          rps: fmt(median(paired('rps')), 3),
          p50: fmt(median(paired('p50')), 3),
          p99: fmt(median(paired('p99')), 3),
          postgres_cpu_per_req: fmt(median(paired('dbUs')), 3),
          app_cpu_per_req: fmt(median(paired('appUs')), 3),
          rps_runs: paired('rps').map((r) => fmt(r, 3)),
          postgres_cpu_per_req_runs: paired('dbUs').map((r) => fmt(r, 3)),
        },
      };
    }
    if (protocols.length > 0) {
      summary.database_alone = { clients: PGBENCH_CLIENTS, seconds: PGBENCH_SECONDS };
      for (const protocol of protocols) {
        const tps = (key) => dbSamples[key][protocol].map((d) => d.tps);
        const paired = tps('rls').map((t, i) => t / tps('norls')[i]);
        summary.database_alone[protocol] = {
          with_rls_tps: fmt(median(tps('rls')), 0),
          rls_disabled_tps: fmt(median(tps('norls')), 0),
          ratio_with_over_without: fmt(median(paired), 3),
          ratio_runs: paired.map((r) => fmt(r, 3)),
        };
      }
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    for (const path of paths) {
      const { with_rls: a, rls_disabled: b, ratio_with_over_without: r } = summary.paths[path];
      process.stdout.write(
        `${path} (median of ${RUNS}): with RLS ${a.rps} req/s, p50 ${a.p50_ms} ms, p99 ${a.p99_ms} ms; ` +
          `RLS disabled ${b.rps} req/s, p50 ${b.p50_ms} ms, p99 ${b.p99_ms} ms; ` +
          `with/without (median of per-round ratios): req/s ${r.rps} (${r.rps_runs.join(', ')}), p50 ${r.p50}, p99 ${r.p99}, ` +
          `postgres CPU/req ${r.postgres_cpu_per_req} (${r.postgres_cpu_per_req_runs.join(', ')}), app CPU/req ${r.app_cpu_per_req}\n`,
      );
    }
    for (const protocol of protocols) {
      const d = summary.database_alone[protocol];
      process.stdout.write(
        `database alone, message-path transaction, ${protocol} protocol (median of ${RUNS}): with RLS ${d.with_rls_tps} tx/s, ` +
          `RLS disabled ${d.rls_disabled_tps} tx/s; with/without ${d.ratio_with_over_without} (${d.ratio_runs.join(', ')})\n`,
      );
    }
  } finally {
    for (const mode of MODES) {
      if (mode.app) await mode.app.stop();
      if (mode.pool) await mode.pool.end();
      await dropDatabase(SERVER, mode.db);
    }
    // Leave the bench Redis database as it was: drop the session keys the logins opened.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys('user-session:brand:*:rls_*');
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`bench:rls failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
