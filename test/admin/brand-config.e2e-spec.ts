// Seed 004 brand_config: the schema registry, per-key reads/writes with brand_config_audit holding the
// prior value, and the import route in its three shapes where dry_run returns the normalized payload
// and changes nothing (rows, audit trail, provider policy, Redis snapshot).
import { AdminHarness, api, bootAdmin, insertBrand, operatorToken } from './harness';

describe('admin brand_config', () => {
  let h: AdminHarness;
  let token: string;
  let adminId: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token, adminId } = await operatorToken(h));
  });
  afterAll(async () => h?.close());

  async function state(brandId: number) {
    const [config, audit, providers] = await Promise.all([
      h.ds.query(`SELECT key, value, updated_at FROM brand_config WHERE brand_id = $1 ORDER BY key`, [
        brandId,
      ]),
      h.ds.query(`SELECT count(*)::int AS n FROM brand_config_audit WHERE brand_id = $1`, [brandId]),
      h.ds.query(
        `SELECT provider_id, enabled FROM brand_provider_config WHERE brand_id = $1 ORDER BY provider_id`,
        [brandId],
      ),
    ]);
    return {
      config,
      audit: audit[0].n,
      providers,
      snapshot: await h.redis.get(`brand:provider_allowlist:${brandId}`),
    };
  }

  it('serves the schema registry', async () => {
    const res = await api(h, 'GET', '/api/v1/brands/config/schema', { token });
    expect(res.status).toBe(200);
    const keys = res.body.data.keys.map((k: { key: string }) => k.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'frontend_config',
        'registration_policy',
        'feature_policy',
        'payment_policy',
        'sms_policy',
        'provider_allowlist',
        'rebate_rate',
      ]),
    );
    expect(res.body.data.keys.find((k: { key: string }) => k.key === 'payment_policy').fields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'deposit_maintenance_enabled', type: 'tri_boolean' }),
      ]),
    );
  });

  it('writes a key, records the prior value in brand_config_audit and reads it back', async () => {
    const brandId = await insertBrand(h);
    const first = await api(h, 'PUT', `/api/v1/brands/${brandId}/config/registration_policy`, {
      token,
      body: { value: { enabled: 'true', require_phone: false } },
    });
    expect(first.body.data).toMatchObject({
      key: 'registration_policy',
      value: { enabled: true, require_phone: false },
      updated_by: String(adminId),
    });
    await api(h, 'PUT', `/api/v1/brands/${brandId}/config/registration_policy`, {
      token,
      body: { value: { enabled: false } },
    });
    const read = await api(h, 'GET', `/api/v1/brands/${brandId}/config/registration_policy`, { token });
    expect(read.body.data.value).toEqual({ enabled: false });
    const audit = await h.ds.query(
      `SELECT prior_value, new_value, operator_id, request_id FROM brand_config_audit WHERE brand_id = $1 ORDER BY id`,
      [brandId],
    );
    expect(audit).toEqual([
      {
        prior_value: null,
        new_value: { enabled: true, require_phone: false },
        operator_id: String(adminId),
        request_id: expect.any(String),
      },
      {
        prior_value: { enabled: true, require_phone: false },
        new_value: { enabled: false },
        operator_id: String(adminId),
        request_id: expect.any(String),
      },
    ]);
    const history = await api(h, 'GET', `/api/v1/brands/${brandId}/config/registration_policy/audit`, {
      token,
    });
    expect(history.body.data).toHaveLength(2);
  });

  it('refuses an invalid value with the field names and writes nothing', async () => {
    const brandId = await insertBrand(h);
    const res = await api(h, 'PUT', `/api/v1/brands/${brandId}/config/payment_policy`, {
      token,
      body: { value: { deposit_min_amount: -5 } },
    });
    expect([res.status, res.body.status]).toEqual([400, 2]);
    expect(res.body.data.fields).toHaveProperty(['payment_policy.deposit_min_amount']);
    expect((await state(brandId)).audit).toBe(0);
  });

  it('keeps one brand config invisible to another brand', async () => {
    const a = await insertBrand(h);
    const b = await insertBrand(h);
    await api(h, 'PUT', `/api/v1/brands/${a}/config/rebate_rate`, { token, body: { value: 0.02 } });
    const res = await api(h, 'GET', `/api/v1/brands/${b}/config/rebate_rate`, { token });
    expect([res.status, res.body.status]).toEqual([404, 5]);
  });

  describe('import', () => {
    let providerIds: number[];

    beforeAll(async () => {
      providerIds = [];
      for (const code of ['imp-a', 'imp-b']) {
        providerIds.push(
          (await api(h, 'POST', '/api/v1/providers', { token, body: { code, name: code } })).body.data.id,
        );
      }
    });

    const exportBody = () => ({
      brand: {
        code: 'ignored',
        config: {
          payment_policy: { deposit_min_amount: '10000', deposit_maintenance_start: '' },
          deposit_min_amount: 1,
          deposit_max_amount: 500000,
          feature_policy: { deposit_enabled: 'off' },
          provider_allowlist: [providerIds[1]],
          cashback_rate: '0.05',
          i18n_overrides: { ko: { title: '타이틀' } },
        },
      },
    });

    it('returns the normalized payload on a dry run and changes nothing', async () => {
      const brandId = await insertBrand(h);
      await api(h, 'PUT', `/api/v1/brands/${brandId}/config/cashback_rate`, { token, body: { value: 0.01 } });
      const before = await state(brandId);
      const res = await api(h, 'POST', `/api/v1/brands/${brandId}/config/import?dry_run=true`, {
        token,
        body: exportBody(),
      });
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({
        dry_run: true,
        normalized: {
          config: {
            payment_policy: {
              deposit_min_amount: 10000,
              deposit_maintenance_start: '',
              deposit_max_amount: 500000,
            },
            feature_policy: { deposit_enabled: false },
            cashback_rate: 0.05,
            i18n_overrides: { ko: { title: '타이틀' } },
          },
          provider_allowlist: [providerIds[1]],
        },
        unregistered_keys: ['i18n_overrides'],
      });
      expect(res.body.data.folded_legacy_keys.sort()).toEqual(['deposit_max_amount', 'deposit_min_amount']);
      expect(res.body.data).not.toHaveProperty('written_keys');
      expect(await state(brandId)).toEqual(before);
    });

    it('writes every key with its audit row and the provider policy when not a dry run', async () => {
      const brandId = await insertBrand(h);
      await api(h, 'PUT', `/api/v1/brands/${brandId}/config/cashback_rate`, { token, body: { value: 0.01 } });
      const res = await api(h, 'POST', `/api/v1/brands/${brandId}/config/import`, {
        token,
        body: exportBody(),
      });
      expect(res.body.data.written_keys.sort()).toEqual([
        'cashback_rate',
        'feature_policy',
        'i18n_overrides',
        'payment_policy',
        'provider_allowlist',
      ]);
      const after = await state(brandId);
      expect(after.config.map((r: { key: string }) => r.key)).toEqual([
        'cashback_rate',
        'feature_policy',
        'i18n_overrides',
        'payment_policy',
      ]);
      expect(after.config.find((r: { key: string }) => r.key === 'payment_policy').value).not.toHaveProperty(
        'deposit_min_amount',
        1,
      );
      const audit = await h.ds.query(
        `SELECT prior_value FROM brand_config_audit WHERE brand_id = $1 AND key = 'cashback_rate' ORDER BY id`,
        [brandId],
      );
      expect(audit.map((r: { prior_value: unknown }) => r.prior_value)).toEqual([null, 0.01]);
      expect(after.providers).toEqual(
        providerIds.map((id) => ({ provider_id: id, enabled: id === providerIds[1] })),
      );
      expect(JSON.parse(after.snapshot as string)).toEqual([providerIds[1]]);
    });

    it('accepts the {config} and {entries} shapes', async () => {
      const brandId = await insertBrand(h);
      const a = await api(h, 'POST', `/api/v1/brands/${brandId}/config/import`, {
        token,
        body: { config: { rebate_rate: 0.03 } },
      });
      const b = await api(h, 'POST', `/api/v1/brands/${brandId}/config/import`, {
        token,
        body: { entries: [{ key: 'lossback_rate', value: '0.04' }] },
      });
      expect([a.body.status, b.body.status]).toEqual([0, 0]);
      expect(
        (await state(brandId)).config.map((r: { key: string; value: unknown }) => [r.key, r.value]),
      ).toEqual([
        ['lossback_rate', 0.04],
        ['rebate_rate', 0.03],
      ]);
    });

    it('writes nothing when any key is invalid or a provider id is unknown', async () => {
      const brandId = await insertBrand(h);
      const before = await state(brandId);
      const bad = await api(h, 'POST', `/api/v1/brands/${brandId}/config/import`, {
        token,
        body: { config: { rebate_rate: 0.01, sms_policy: { enabled: 'perhaps' } } },
      });
      expect([bad.status, bad.body.status]).toEqual([400, 2]);
      const unknown = await api(h, 'POST', `/api/v1/brands/${brandId}/config/import`, {
        token,
        body: { config: { rebate_rate: 0.01, provider_allowlist: [999999] } },
      });
      expect([unknown.status, unknown.body.status]).toEqual([400, 2]);
      expect(await state(brandId)).toEqual(before);
    });

    it('answers 404 for an unknown brand', async () => {
      const res = await api(h, 'POST', `/api/v1/brands/999999/config/import?dry_run=true`, {
        token,
        body: { config: { rebate_rate: 0.01 } },
      });
      expect([res.status, res.body.status]).toEqual([404, 5]);
    });
  });
});
