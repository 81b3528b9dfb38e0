import { DEFAULT_MESSAGES, Status } from './status';

/** The one response body shape of every app (CONTRACTS §2). */
export interface Envelope<T = unknown> {
  status: number;
  msg: string;
  data: T | null;
}

export function ok<T>(data: T, msg = 'ok'): Envelope<T> {
  return { status: Status.OK, msg, data: data === undefined ? null : data };
}

export function fail(status: Status, msg?: string, data: unknown = null): Envelope {
  return { status, msg: msg ?? DEFAULT_MESSAGES[status], data };
}

export function isEnvelope(value: unknown): value is Envelope {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Envelope).status === 'number' &&
    typeof (value as Envelope).msg === 'string' &&
    'data' in value
  );
}
