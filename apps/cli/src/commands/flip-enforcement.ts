/**
 * `flip-enforcement`: the Phase 16 gate of ADR-009 ("the flag is flipped to
 * enforce only after the soak window confirms zero legitimate mismatches in
 * observe mode"). Reads every service's /health and /metrics at the start and
 * at the end of the soak window and refuses to recommend `enforce` while any
 * `brand_resolution_failed_total` series grew (a mismatch enforce would have
 * rejected), any `event_legacy_schema_total` series grew (schema_version 1
 * events still flowing, which enforce rejects), any service is unhealthy or
 * restarted during the window, or any service is not in `observe`. It never
 * changes anything itself: the mode is read at boot, so the flip is an env
 * change plus a restart, printed here in a safe order.
 */
import { SERVICE_LABEL, type ServiceName } from '@app/config';
import type { Command } from '../command';
import { parseFlags } from '../command';
import {
  type HealthReading,
  type MetricsReading,
  intFlag,
  parseServiceUrls,
  readHealth,
  readMetrics,
  seriesKey,
  serviceLabel,
  who,
} from './ops-http';

export const WATCHED_COUNTERS = ['brand_resolution_failed_total', 'event_legacy_schema_total'] as const;
const WATCHED = new Set<string>(WATCHED_COUNTERS);

/**
 * Inner services first, the player-facing edge last: every step then only
 * tightens what an already-enforcing downstream accepts, and the widest
 * blast radius (gateway) is the last restart and the first to roll back.
 * Services this project does not know (downstream services passed by the
 * operator) go right after the workers.
 */
const RESTART_ORDER: readonly ServiceName[] = [
  'player-worker',
  'agent-worker',
  'admin-worker',
  'player',
  'admin',
  'agent',
  'gateway',
];
const APP_BY_LABEL = new Map<string, ServiceName>(
  Object.entries(SERVICE_LABEL).map(([app, label]) => [label, app as ServiceName]),
);

function rank(label: string): number {
  const app = APP_BY_LABEL.get(label);
  if (app === undefined) return 2.5;
  return RESTART_ORDER.indexOf(app);
}

interface Reading {
  health: HealthReading;
  metrics: MetricsReading;
}

async function read(urls: string[]): Promise<Reading[]> {
  return Promise.all(
    urls.map(async (url) => {
      const [health, metrics] = await Promise.all([readHealth(url), readMetrics(url, WATCHED)]);
      return { health, metrics };
    }),
  );
}

function mode(reading: HealthReading): string | null {
  const value = reading.data?.multi_brand_enforcement;
  return typeof value === 'string' ? value : null;
}

function series(reading: MetricsReading): Map<string, number> {
  return new Map((reading.samples ?? []).map((s) => [seriesKey(s), s.value]));
}

/** Everything that forbids the flip, one line each, naming service, URL and reason. */
export function findProblems(before: Reading[], after: Reading[], soakSeconds: number): string[] {
  const problems: string[] = [];
  before.forEach((first, i) => {
    const second = after[i];
    const name = who(second.health.data ? second.health : first.health);
    for (const [when, reading] of [
      ['start', first],
      ['end', second],
    ] as const) {
      if (reading.health.error)
        problems.push(`${name}: unhealthy at the ${when} of the soak: ${reading.health.error}`);
      // an unreachable service is one problem, not two
      if (reading.metrics.error && reading.health.httpStatus !== null) {
        problems.push(`${name}: metrics unreadable at the ${when} of the soak: ${reading.metrics.error}`);
      }
    }
    const m1 = mode(first.health);
    const m2 = mode(second.health);
    if (first.health.data && second.health.data) {
      if (m2 === null) {
        problems.push(`${name}: /health reports no data.multi_brand_enforcement`);
      } else if (m1 !== m2) {
        problems.push(
          `${name}: mode changed from ${m1} to ${m2} during the soak (restarted?); run the soak again`,
        );
      }
    }
    if (first.metrics.samples && second.metrics.samples) {
      const a = series(first.metrics);
      const b = series(second.metrics);
      for (const [key, end] of b) {
        const start = a.get(key) ?? 0;
        if (end > start) {
          problems.push(`${name}: ${key} grew by ${end - start} during the ${soakSeconds} s soak`);
        } else if (end < start) {
          problems.push(
            `${name}: ${key} went down (${start} -> ${end}): the process restarted during the soak; run it again`,
          );
        }
      }
      for (const key of a.keys()) {
        if (!b.has(key)) {
          problems.push(`${name}: ${key} disappeared: the process restarted during the soak; run it again`);
        }
      }
    }
  });
  return problems;
}

function modeProblems(after: Reading[]): string[] {
  const problems: string[] = [];
  for (const { health } of after) {
    const m = mode(health);
    if (m === null || m === 'observe') continue;
    problems.push(
      m === 'enforce'
        ? `${who(health)}: already runs MULTI_BRAND_ENFORCEMENT=enforce while others still observe; pass only the services still in observe with --services to finish a partial flip`
        : `${who(health)}: runs MULTI_BRAND_ENFORCEMENT=${m}; the soak proves nothing unless every service runs observe (off counts no mismatches)`,
    );
  }
  return problems;
}

export const flipEnforcement: Command = {
  summary:
    'check a clean observe soak on every service, then print the env change and restart order for enforce',
  usage: [
    'flip-enforcement --services <url,...> [--soak-seconds N] [--namespace NS]',
    '  Reads GET /health and GET /metrics of every service at the start and the end of the soak',
    '  window (default 300 s). Refuses (exit 1, one line per service and reason) while any',
    '  brand_resolution_failed_total or event_legacy_schema_total series grew, any service is',
    '  unhealthy, restarted, or not in observe. Otherwise (exit 0) prints MULTI_BRAND_ENFORCEMENT=enforce',
    '  for each service and the order to restart them in (workers, player, admin, agent, gateway).',
    '  Changes nothing itself. --namespace (default servers-v2) is only used in the printed kubectl lines.',
  ].join('\n'),
  async run({ args, out, err }) {
    const flags = parseFlags(args, ['services', 'soak-seconds', 'namespace']);
    const urls = parseServiceUrls(flags.services);
    const soakSeconds = intFlag(flags, 'soak-seconds', 300, 1, 86_400);
    const namespace =
      typeof flags.namespace === 'string' && flags.namespace !== '' ? flags.namespace : 'servers-v2';

    out(`flip-enforcement: reading ${urls.length} service(s), soaking ${soakSeconds} s`);
    const before = await read(urls);
    await new Promise((resolve) => setTimeout(resolve, soakSeconds * 1000));
    const after = await read(urls);

    const problems = findProblems(before, after, soakSeconds);
    const modes = after.map((r) => mode(r.health));
    if (problems.length === 0 && modes.every((m) => m === 'enforce')) {
      out('flip-enforcement: every service already runs MULTI_BRAND_ENFORCEMENT=enforce; nothing to flip');
      return 0;
    }
    problems.push(...modeProblems(after));
    if (problems.length > 0) {
      err(`flip-enforcement: refusing to recommend enforce (${problems.length} problem(s)):`);
      for (const p of problems) err(`  - ${p}`);
      return 1;
    }

    const ordered = after
      .map((r) => ({ label: serviceLabel(r.health), url: r.health.url }))
      .sort(
        (x, y) =>
          rank(x.label) - rank(y.label) || x.label.localeCompare(y.label) || x.url.localeCompare(y.url),
      );
    out(
      `flip-enforcement: clean soak of ${soakSeconds} s: every service healthy in observe, no growth of ${WATCHED_COUNTERS.join(' or ')}`,
    );
    out(
      'env change for each service: MULTI_BRAND_ENFORCEMENT=enforce (read at boot: each change needs a restart)',
    );
    out('restart order (one service at a time; wait for /health to report enforce before the next):');
    const done = new Set<string>();
    let step = 0;
    for (const { label, url } of ordered) {
      out(`  ${++step}. ${label} ${url}  MULTI_BRAND_ENFORCEMENT=enforce`);
      const app = APP_BY_LABEL.get(label);
      if (app && !done.has(app)) {
        done.add(app);
        out(`     kubectl -n ${namespace} set env deployment/${app} MULTI_BRAND_ENFORCEMENT=enforce`);
      }
    }
    out(
      'reminder (ADR-009): flip only once every token minted before the soak has expired (JWT_EXPIRE_MIN plus a buffer); ' +
        'roll back a step by setting observe on that service and restarting it.',
    );
    return 0;
  },
};
