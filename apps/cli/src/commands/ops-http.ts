/**
 * What the operator tools read from running services (issue 7, ADR-009
 * Phase 16): every app serves `GET /health` (CONTRACTS §8: `data.service`,
 * `data.multi_brand_enforcement`, `data.jwt_kid`, `data.jwt_kids`) and
 * `GET /metrics` (Prometheus text, CONTRACTS §9). Failures become values,
 * not exceptions, so a tool can name every unreachable service at once.
 */
import { UsageError } from '../command';

/** Per-request budget; a service slower than this counts as unhealthy. */
export const HTTP_TIMEOUT_MS = 5000;

/** `--services http://a:3000,http://b:3001` → normalised base URLs (no trailing slash). */
export function parseServiceUrls(value: string | true | undefined): string[] {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError('--services <url,...> is required');
  }
  const urls = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const seen = new Set<string>();
  for (const raw of urls) {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new UsageError(`--services: ${JSON.stringify(raw)} is not a URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new UsageError(`--services: ${JSON.stringify(raw)} must be http(s)`);
    }
    if (parsed.search || parsed.hash || parsed.username || parsed.password) {
      throw new UsageError(`--services: ${JSON.stringify(raw)} must be a plain base URL`);
    }
    seen.add(`${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`);
  }
  if (seen.size === 0) throw new UsageError('--services <url,...> is required');
  return [...seen];
}

export interface HealthReading {
  url: string;
  /** HTTP status, or null when the service did not answer. */
  httpStatus: number | null;
  /** Envelope `status` (0 = ok), or null. */
  status: number | null;
  /** `data` of the envelope (also present on a 503). */
  data: Record<string, unknown> | null;
  /** Why the reading is unusable, when it is. */
  error: string | null;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError')
      return `no answer within ${HTTP_TIMEOUT_MS} ms`;
    const cause = (err as Error & { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message;
    return detail ? `${err.message} (${detail})` : err.message;
  }
  return String(err);
}

export async function readHealth(url: string): Promise<HealthReading> {
  let res: Response;
  try {
    res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  } catch (err) {
    return { url, httpStatus: null, status: null, data: null, error: describe(err) };
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    return {
      url,
      httpStatus: res.status,
      status: null,
      data: null,
      error: `/health answered HTTP ${res.status} without JSON`,
    };
  }
  const envelope = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const data =
    typeof envelope.data === 'object' && envelope.data !== null && !Array.isArray(envelope.data)
      ? (envelope.data as Record<string, unknown>)
      : null;
  const status = typeof envelope.status === 'number' ? envelope.status : null;
  let error: string | null = null;
  if (res.status !== 200 || status !== 0) {
    const checks =
      data?.checks && typeof data.checks === 'object' ? (data.checks as Record<string, unknown>) : {};
    const down = Object.entries(checks)
      .filter(([, v]) => v !== 'ok')
      .map(([k]) => k);
    error = `/health answered HTTP ${res.status} status ${status ?? '?'}${down.length ? ` (down: ${down.join(', ')})` : ''}`;
  }
  return { url, httpStatus: res.status, status, data, error };
}

/** The service label a reading reports (`data.service`), or the URL when it reports none. */
export function serviceLabel(reading: HealthReading): string {
  const name = reading.data?.service;
  return typeof name === 'string' && name !== '' ? name : reading.url;
}

/** `label (url)` for problem lines, or just the URL when the service reported no label. */
export function who(reading: HealthReading): string {
  const label = serviceLabel(reading);
  return label === reading.url ? reading.url : `${label} (${reading.url})`;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One stable key per series: `name{a="1",b="2"}` with labels sorted. */
export function seriesKey(sample: Pick<Sample, 'name' | 'labels'>): string {
  const labels = Object.keys(sample.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(sample.labels[k])}`)
    .join(',');
  return labels ? `${sample.name}{${labels}}` : sample.name;
}

function parseLabels(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ',' || text[i] === ' ') i++;
    if (i >= text.length) break;
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!name) return null;
    i += name[0].length;
    if (text[i] !== '=' || text[i + 1] !== '"') return null;
    i += 2;
    let value = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : next;
        i += 2;
      } else {
        value += text[i++];
      }
    }
    if (text[i] !== '"') return null;
    i++;
    labels[name[0]] = value;
  }
  return labels;
}

/**
 * Samples of the Prometheus text exposition format (what prom-client
 * writes): `name{label="value",...} value [timestamp]`. Comment lines and
 * malformed lines are skipped.
 */
export function parsePrometheusText(text: string, names?: ReadonlySet<string>): Sample[] {
  const samples: Sample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nameMatch) continue;
    const name = nameMatch[0];
    if (names && !names.has(name)) continue;
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      // the label block ends at the first `}` outside a quoted value
      let end = -1;
      let quoted = false;
      for (let i = 1; i < rest.length; i++) {
        const c = rest[i];
        if (quoted && c === '\\') {
          i++;
        } else if (c === '"') {
          quoted = !quoted;
        } else if (c === '}' && !quoted) {
          end = i;
          break;
        }
      }
      if (end < 0) continue;
      const parsed = parseLabels(rest.slice(1, end));
      if (!parsed) continue;
      labels = parsed;
      rest = rest.slice(end + 1);
    }
    const valueText = rest.trim().split(/\s+/)[0];
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (valueText === undefined || valueText === '' || Number.isNaN(value)) continue;
    samples.push({ name, labels, value });
  }
  return samples;
}

export interface MetricsReading {
  url: string;
  samples: Sample[] | null;
  error: string | null;
}

export async function readMetrics(url: string, names: ReadonlySet<string>): Promise<MetricsReading> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    const text = await res.text();
    if (res.status !== 200) return { url, samples: null, error: `/metrics answered HTTP ${res.status}` };
    return { url, samples: parsePrometheusText(text, names), error: null };
  } catch (err) {
    return { url, samples: null, error: describe(err) };
  }
}

/** Non-negative integer flag with bounds; `fallback` when absent. */
export function intFlag(
  flags: Record<string, string | true>,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  if (raw === true || !/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number`);
  const n = Number(raw);
  if (n < min || n > max) throw new UsageError(`--${name} must be between ${min} and ${max}`);
  return n;
}
