// Unit tests of the brand_config schema registry (seed 004): normalization of the seven policy keys,
// payment_policy precedence over legacy scalars, tri-state maintenance fields, the three import shapes.
import {
  CONFIG_SCHEMA,
  ConfigValidationError,
  foldLegacyPayment,
  normalizeConfigValue,
  normalizeImport,
  schemaDocument,
} from './config-schema';

function problems(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.fields;
    throw err;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('brand_config schema registry', () => {
  it('registers the seven operational customizations', () => {
    const keys = CONFIG_SCHEMA.map((s) => s.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'frontend_config',
        'registration_policy',
        'feature_policy',
        'payment_policy',
        'sms_policy',
        'provider_allowlist',
        'rebate_rate',
        'cashback_rate',
        'lossback_rate',
        'rolling_completion_ratio',
        'valid_odds_threshold',
      ]),
    );
    expect(schemaDocument().keys).toHaveLength(CONFIG_SCHEMA.length);
  });

  it('normalizes booleans, numbers and strings inside a policy', () => {
    const { value } = normalizeConfigValue('registration_policy', {
      enabled: 'on',
      require_phone: 0,
      min_password_length: '8',
    });
    expect(value).toEqual({ enabled: true, require_phone: false, min_password_length: 8 });
  });

  it('refuses wrong types and names every bad field', () => {
    const fields = problems(() =>
      normalizeConfigValue('payment_policy', {
        deposit_min_amount: 'ten',
        plisio_enabled: 'maybe',
        deposit_maintenance_start: '25:00',
      }),
    );
    expect(Object.keys(fields).sort()).toEqual([
      'payment_policy.deposit_maintenance_start',
      'payment_policy.deposit_min_amount',
      'payment_policy.plisio_enabled',
    ]);
  });

  it('refuses a deposit minimum above the maximum', () => {
    expect(
      problems(() =>
        normalizeConfigValue('payment_policy', { deposit_min_amount: 500, deposit_max_amount: 100 }),
      ),
    ).toHaveProperty(['payment_policy.deposit_min_amount']);
  });

  it('accepts only <feature>_enabled booleans in feature_policy', () => {
    expect(
      normalizeConfigValue('feature_policy', { game_launch_enabled: false, lottery_enabled: 'true' }).value,
    ).toEqual({
      game_launch_enabled: false,
      lottery_enabled: true,
    });
    expect(problems(() => normalizeConfigValue('feature_policy', { theme: 'dark' }))).toHaveProperty([
      'feature_policy.theme',
    ]);
  });

  it('keeps the tri-state maintenance fields apart: null falls back, false and "" are brand overrides', () => {
    const { value } = normalizeConfigValue('payment_policy', {
      deposit_maintenance_enabled: null,
      deposit_maintenance_start: '',
      deposit_maintenance_end: '06:30',
    });
    expect(value).toEqual({
      deposit_maintenance_enabled: null,
      deposit_maintenance_start: '',
      deposit_maintenance_end: '06:30',
    });
    expect(normalizeConfigValue('payment_policy', { deposit_maintenance_enabled: '' }).value).toEqual({
      deposit_maintenance_enabled: false,
    });
    expect(normalizeConfigValue('payment_policy', {}).value).toEqual({});
  });

  it('validates the reward/rolling scalars against their ranges', () => {
    expect(normalizeConfigValue('rebate_rate', '0.015').value).toBe(0.015);
    expect(problems(() => normalizeConfigValue('cashback_rate', 2))).toHaveProperty(['cashback_rate']);
    expect(problems(() => normalizeConfigValue('valid_odds_threshold', 0.5))).toHaveProperty([
      'valid_odds_threshold',
    ]);
  });

  it('refuses a legacy payment scalar as a key of its own, naming the payment_policy field', () => {
    expect(problems(() => normalizeConfigValue('payment_channel_plisio_enabled', true))).toEqual({
      payment_channel_plisio_enabled: [
        'legacy compatibility key, never stored: write payment_policy.plisio_enabled instead',
      ],
    });
  });

  it('refuses a NUL character at any depth but keeps the text \\u0000', () => {
    for (const value of ['a\u0000', { a: [{ b: '\u0000' }] }, { 'k\u0000': 1 }, ['\\\u0000']]) {
      expect(problems(() => normalizeConfigValue('i18n_overrides', value))).toEqual({
        i18n_overrides: ['must not contain the NUL character'],
      });
    }
    expect(normalizeConfigValue('i18n_overrides', ['a\\u0000', '\\\\u0000']).value).toEqual([
      'a\\u0000',
      '\\\\u0000',
    ]);
  });

  it('stores unregistered keys as given but refuses bad key names', () => {
    expect(normalizeConfigValue('i18n.ko', { hello: '안녕' }).value).toEqual({ hello: '안녕' });
    expect(problems(() => normalizeConfigValue('Bad Key', 1))).toHaveProperty(['Bad Key']);
  });
});

describe('brand_config import', () => {
  const config = { rebate_rate: 0.01, feature_policy: { deposit_enabled: true } };

  it('accepts the three shapes and normalizes them identically', () => {
    const a = normalizeImport({ config });
    const b = normalizeImport({ entries: Object.entries(config).map(([key, value]) => ({ key, value })) });
    const c = normalizeImport({ brand: { code: 'x', config } });
    expect(a.config).toEqual(config);
    expect(b.config).toEqual(a.config);
    expect(c.config).toEqual(a.config);
  });

  it('refuses bodies with none or several shapes, and duplicate entries', () => {
    expect(problems(() => normalizeImport({}))).toHaveProperty(['body']);
    expect(problems(() => normalizeImport({ config, entries: [] }))).toHaveProperty(['body']);
    expect(
      problems(() =>
        normalizeImport({
          entries: [
            { key: 'rebate_rate', value: 0.1 },
            { key: 'rebate_rate', value: 0.2 },
          ],
        }),
      ),
    ).toHaveProperty(['entries[1].key']);
  });

  it('folds legacy payment scalars into payment_policy where the policy is silent, and lets the policy win', () => {
    const result = normalizeImport({
      config: {
        payment_policy: { deposit_min_amount: 1000, plisio_enabled: false },
        deposit_min_amount: 5,
        deposit_max_amount: '900000',
        payment_channel_plisio_enabled: true,
        deposit_maintenance_enabled: null,
      },
    });
    expect(result.config).toEqual({
      payment_policy: {
        deposit_min_amount: 1000,
        plisio_enabled: false,
        deposit_max_amount: 900000,
        deposit_maintenance_enabled: null,
      },
    });
    expect(result.foldedLegacyKeys.sort()).toEqual([
      'deposit_maintenance_enabled',
      'deposit_max_amount',
      'deposit_min_amount',
      'payment_channel_plisio_enabled',
    ]);
    expect(result.config).not.toHaveProperty('deposit_min_amount');
  });

  it('reports the legacy scalars that lose to the payment_policy of the import', () => {
    const result = normalizeImport({
      config: {
        payment_policy: { deposit_min_amount: 1000 },
        deposit_min_amount: 5,
        deposit_max_amount: 9000,
      },
    });
    expect(result.shadowedLegacyKeys).toEqual(['deposit_min_amount']);
    expect(result.legacyPayment).toBeNull();
  });

  it('leaves legacy scalars without a payment_policy to be folded into the stored policy', () => {
    const result = normalizeImport({
      config: { deposit_min_amount: '5', payment_channel_plisio_enabled: 'off' },
    });
    expect(result.config).toEqual({});
    expect(result.legacyPayment).toEqual({ deposit_min_amount: 5, payment_channel_plisio_enabled: false });
    expect(result.foldedLegacyKeys.sort()).toEqual(['deposit_min_amount', 'payment_channel_plisio_enabled']);
  });

  it('folds legacy scalars into the stored payment_policy only where it has no value', () => {
    const stored = { deposit_min_amount: 100, deposit_maintenance_enabled: null };
    const folded = foldLegacyPayment(stored, {
      deposit_min_amount: 1,
      deposit_max_amount: 500,
      deposit_maintenance_enabled: true,
    });
    expect(folded).toEqual({
      policy: { deposit_min_amount: 100, deposit_max_amount: 500, deposit_maintenance_enabled: null },
      filled: ['deposit_max_amount'],
      shadowed: ['deposit_min_amount', 'deposit_maintenance_enabled'],
    });
    expect(stored).toEqual({ deposit_min_amount: 100, deposit_maintenance_enabled: null });
    expect(foldLegacyPayment(undefined, { withdraw_min_amount: 3 }).policy).toEqual({
      withdraw_min_amount: 3,
    });
  });

  it('validates min and max on the merged payment_policy', () => {
    expect(
      problems(() => foldLegacyPayment({ deposit_max_amount: 50 }, { deposit_min_amount: 100 })),
    ).toHaveProperty(['payment_policy.deposit_min_amount']);
  });

  it('separates the provider allow list and reports unregistered keys', () => {
    const result = normalizeImport({ config: { provider_allowlist: [3, '1', 3], theme_extra: { a: 1 } } });
    expect(result.providerAllowlist).toEqual([1, 3]);
    expect(result.config).toEqual({ theme_extra: { a: 1 } });
    expect(result.unregisteredKeys).toEqual(['theme_extra']);
  });

  it('reports every invalid key of an import at once', () => {
    const fields = problems(() =>
      normalizeImport({ config: { rebate_rate: -1, sms_policy: 'on', provider_allowlist: [0] } }),
    );
    expect(Object.keys(fields).sort()).toEqual(['provider_allowlist[0]', 'rebate_rate', 'sms_policy']);
  });
});
