import { register } from 'prom-client';
import { InternalTokenInvalidError, Status } from '@app/http';
import {
  InternalTokenRejectedError,
  type InternalTokenRejectReason,
  InternalTokenVerifier,
} from './internal-token';

const SERVICE = 'internal_token_spec';
const TOKENS = {
  gateway: 'gw-token-0123456789',
  admin: 'admin-token-0123456789',
  agent: 'agent-token-0123456789',
};
const LEGACY = 'legacy-shared-token';

function verifier(perCallerRequired: boolean): InternalTokenVerifier {
  return new InternalTokenVerifier({
    tokens: TOKENS,
    legacyToken: LEGACY,
    perCallerRequired,
    service: SERVICE,
  });
}

const headers = (caller: string | undefined, token: string | undefined) => ({
  'x-caller-service': caller,
  'x-internal-service-token': token,
});

async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return match?.value ?? 0;
}

async function expectRejected(fn: () => unknown, reason: InternalTokenRejectReason): Promise<void> {
  const before = await counter('internal_token_rejected_total', { service: SERVICE, reason });
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(InternalTokenInvalidError);
  expect(caught).toBeInstanceOf(InternalTokenRejectedError);
  expect(caught).toMatchObject({ reason, status: Status.INTERNAL_TOKEN_INVALID });
  expect(await counter('internal_token_rejected_total', { service: SERVICE, reason })).toBe(before + 1);
}

describe('InternalTokenVerifier', () => {
  it("accepts a caller presenting its own token and returns the caller's name", () => {
    expect(verifier(true).verify(headers('gateway', TOKENS.gateway), ['gateway'])).toBe('gateway');
    expect(verifier(false).verify(headers('admin', TOKENS.admin), ['gateway', 'admin'])).toBe('admin');
  });

  it('reads header names case-insensitively and single-element arrays', () => {
    expect(
      verifier(true).verify({ 'X-Caller-Service': 'gateway', 'X-Internal-Service-Token': TOKENS.gateway }, [
        'gateway',
      ]),
    ).toBe('gateway');
    expect(
      verifier(true).verify(
        { 'x-caller-service': ['gateway'], 'x-internal-service-token': [TOKENS.gateway] },
        ['gateway'],
      ),
    ).toBe('gateway');
  });

  it("refuses another caller's token: a leaked gateway token cannot act as admin", async () => {
    await expectRejected(
      () => verifier(true).verify(headers('admin', TOKENS.gateway), ['gateway', 'admin']),
      'bad_token',
    );
    await expectRejected(
      () => verifier(false).verify(headers('gateway', TOKENS.admin), ['gateway', 'admin']),
      'bad_token',
    );
  });

  it('refuses a caller that is not allowed on the route, even with its valid token', async () => {
    await expectRejected(
      () => verifier(true).verify(headers('agent', TOKENS.agent), ['gateway']),
      'caller_not_allowed',
    );
  });

  it('refuses unknown caller names', async () => {
    await expectRejected(
      () => verifier(true).verify(headers('wallet', TOKENS.gateway), ['gateway']),
      'unknown_caller',
    );
    await expectRejected(
      () => verifier(true).verify(headers('__proto__', TOKENS.gateway), ['gateway']),
      'unknown_caller',
    );
  });

  it('refuses missing headers', async () => {
    await expectRejected(
      () => verifier(true).verify(headers(undefined, TOKENS.gateway), ['gateway']),
      'missing_caller',
    );
    await expectRejected(
      () => verifier(true).verify(headers('  ', TOKENS.gateway), ['gateway']),
      'missing_caller',
    );
    await expectRejected(
      () => verifier(true).verify(headers('gateway', undefined), ['gateway']),
      'missing_token',
    );
    await expectRejected(() => verifier(true).verify(headers('gateway', ''), ['gateway']), 'missing_token');
    await expectRejected(() => verifier(true).verify({}, ['gateway']), 'missing_caller');
  });

  it('refuses repeated headers', async () => {
    await expectRejected(
      () =>
        verifier(true).verify(
          { 'x-caller-service': 'gateway', 'x-internal-service-token': [TOKENS.admin, TOKENS.gateway] },
          ['gateway'],
        ),
      'duplicate_header',
    );
  });

  it('refuses a caller without a configured token, even when it sends an empty one', async () => {
    const v = new InternalTokenVerifier({
      tokens: { gateway: '' },
      perCallerRequired: true,
      service: SERVICE,
    });
    await expectRejected(() => v.verify(headers('gateway', ' '), ['gateway']), 'missing_token');
    await expectRejected(() => v.verify(headers('recon', 'anything'), ['recon']), 'bad_token');
  });

  it('accepts the legacy shared token when PER_CALLER_TOKEN_REQUIRED is off, counting it', async () => {
    const before = await counter('internal_legacy_token_total', { service: SERVICE, caller: 'gateway' });
    expect(verifier(false).verify(headers('gateway', LEGACY), ['gateway'])).toBe('gateway');
    expect(await counter('internal_legacy_token_total', { service: SERVICE, caller: 'gateway' })).toBe(
      before + 1,
    );
  });

  it('refuses the legacy shared token when PER_CALLER_TOKEN_REQUIRED is on', async () => {
    const before = await counter('internal_legacy_token_total', { service: SERVICE, caller: 'gateway' });
    await expectRejected(
      () => verifier(true).verify(headers('gateway', LEGACY), ['gateway']),
      'legacy_token_refused',
    );
    expect(await counter('internal_legacy_token_total', { service: SERVICE, caller: 'gateway' })).toBe(
      before,
    );
  });

  it('still requires the caller to be allowed when the legacy token is used', async () => {
    await expectRejected(
      () => verifier(false).verify(headers('agent', LEGACY), ['gateway']),
      'caller_not_allowed',
    );
  });

  it('does not count own tokens as legacy and refuses a wrong token with no legacy configured', async () => {
    const before = await counter('internal_legacy_token_total', { service: SERVICE, caller: 'gateway' });
    verifier(false).verify(headers('gateway', TOKENS.gateway), ['gateway']);
    expect(await counter('internal_legacy_token_total', { service: SERVICE, caller: 'gateway' })).toBe(
      before,
    );
    const noLegacy = new InternalTokenVerifier({
      tokens: TOKENS,
      perCallerRequired: false,
      service: SERVICE,
    });
    await expectRejected(() => noLegacy.verify(headers('gateway', LEGACY), ['gateway']), 'bad_token');
  });

  it('refuses a prefix or extension of the right token', async () => {
    await expectRejected(
      () => verifier(true).verify(headers('gateway', TOKENS.gateway.slice(0, -1)), ['gateway']),
      'bad_token',
    );
    await expectRejected(
      () => verifier(true).verify(headers('gateway', `${TOKENS.gateway}x`), ['gateway']),
      'bad_token',
    );
  });
});
