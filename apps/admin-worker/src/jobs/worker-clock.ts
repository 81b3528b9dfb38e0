/**
 * Calendar days for the rollups: a "day" is a local date in
 * ADMIN_WORKER_TIMEZONE (UTC when unset), so a brand's daily statistics
 * close at the operator's midnight, not the server's.
 */
export const DEFAULT_TIMEZONE = 'UTC';

/** Throws RangeError for a zone the runtime does not know (checked once at boot). */
export function assertTimeZone(timeZone: string): string {
  new Intl.DateTimeFormat('en-US', { timeZone }).format(0);
  return timeZone;
}

/** `YYYY-MM-DD` of `now` in `timeZone`. */
export function localDate(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The local days a rollup recomputes: today and the `back` days before it (late rows land in closed days). */
export function recentDays(now: Date, timeZone: string, back = 1): string[] {
  const today = localDate(now, timeZone);
  return Array.from({ length: back + 1 }, (_, i) => addDays(today, -i));
}
