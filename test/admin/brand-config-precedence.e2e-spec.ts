// Seed 004 brand_config: "the payment_policy object wins over legacy scalar compatibility keys
// (deposit_min_amount, payment_channel_plisio_enabled, etc.)". An import that carries legacy scalars but
// no payment_policy fills only the fields the stored policy lacks (validated and audited on the merged
// result); the per-key route refuses a legacy scalar; text with a NUL character is invalid input
// (status 2), never a database error; the audit trail of an unknown brand is not found.
import { AdminHarness, api, bootAdmin, insertBrand, operatorToken } from './harness';

describe('admin brand_config payment_policy precedence and input hardening', () => {
  let h: AdminHarness;
  let token: string;
  let adminId: number;

  beforeAll(async () => {
    h = await bootAdmin();
    ({ token, adminId } = await operatorToken(h));
  });
  afterAll(async () => h?.close());

  const STORED = {
    deposit_min_amount: 100,
    deposit_max_amount: 5000,
    plisio_enabled: true,
    withdraw_min_amount: 50,
  };

  async function brandWithPolicy(policy: Record<string, unknown> = STORED): Promise<number> {
    const brandId = await insertBrand(h);
    const res = await api(h, 'PUT', `/api/v1/brands/${brandId}/config/payment_policy`, {
      token,
      body: { value: policy },
    });
    expect(res.status).toBe(200);
    return brandId;
  }

  const importConfig = (brandId: number, config: Record<string, unknown>, dryRun = false) =>
    api(h, 'POST', `/api/v1/brands/${brandId}/config/import${dryRun ? '?dry_run=true' : ''}`, {
      token,
      body: { config },
    });

  async function stored(brandId: number, key = 'payment_policy'): Promise<unknown> {
    const rows = await h.ds.query(`SELECT value FROM brand_config WHERE brand_id = $1 AND key = $2`, [
      brandId,
      key,
    ]);
    return rows[0]?.value;
  }

  async function audit(brandId: number, key = 'payment_policy') {
    return h.ds.query(
      `SELECT prior_value, new_value, operator_id FROM brand_config_audit WHERE brand_id = $1 AND key = $2 ORDER BY id`,
      [brandId, key],
    );
  }

  describe('import of legacy payment scalars without a payment_policy', () => {
    it('keeps every field the stored payment_policy already sets', async () => {
      const brandId = await brandWithPolicy();
      const res = await importConfig(brandId, { deposit_min_amount: 1 });
      expect([res.status, res.body.status]).toEqual([200, 0]);
      expect(await stored(brandId)).toEqual(STORED);
      expect(res.body.data).toMatchObject({
        folded_legacy_keys: ['deposit_min_amount'],
        shadowed_legacy_keys: ['deposit_min_amount'],
        written_keys: [],
      });
      // Nothing changed, so no second audit row.
      expect(await audit(brandId)).toHaveLength(1);
    });

    it('fills only the fields the stored policy lacks and audits the prior and merged value', async () => {
      const brandId = await brandWithPolicy({ deposit_min_amount: 100, deposit_max_amount: 5000 });
      const res = await importConfig(brandId, {
        deposit_min_amount: 1,
        withdraw_min_amount: '20',
        payment_channel_plisio_enabled: 'on',
        rebate_rate: 0.01,
      });
      expect([res.status, res.body.status]).toEqual([200, 0]);
      const merged = {
        deposit_min_amount: 100,
        deposit_max_amount: 5000,
        withdraw_min_amount: 20,
        plisio_enabled: true,
      };
      expect(await stored(brandId)).toEqual(merged);
      expect(res.body.data.written_keys.sort()).toEqual(['payment_policy', 'rebate_rate']);
      expect(res.body.data.shadowed_legacy_keys).toEqual(['deposit_min_amount']);
      expect(res.body.data.normalized.config.payment_policy).toEqual(merged);
      expect(await audit(brandId)).toEqual([
        expect.objectContaining({ prior_value: null }),
        {
          prior_value: { deposit_min_amount: 100, deposit_max_amount: 5000 },
          new_value: merged,
          operator_id: String(adminId),
        },
      ]);
      // Legacy scalars are never written back as their own rows.
      expect(await stored(brandId, 'deposit_min_amount')).toBeUndefined();
    });

    it('shows the merged policy on a dry run and writes nothing', async () => {
      const brandId = await brandWithPolicy({ deposit_max_amount: 5000 });
      const res = await importConfig(brandId, { deposit_min_amount: 10, deposit_max_amount: 1 }, true);
      expect([res.status, res.body.status]).toEqual([200, 0]);
      expect(res.body.data.normalized.config.payment_policy).toEqual({
        deposit_min_amount: 10,
        deposit_max_amount: 5000,
      });
      expect(res.body.data.shadowed_legacy_keys).toEqual(['deposit_max_amount']);
      expect(await stored(brandId)).toEqual({ deposit_max_amount: 5000 });
      expect(await audit(brandId)).toHaveLength(1);
    });

    it('validates min and max on the merged policy and writes nothing when they cross', async () => {
      const brandId = await brandWithPolicy({ deposit_max_amount: 50 });
      for (const dryRun of [true, false]) {
        const res = await importConfig(brandId, { deposit_min_amount: 100, rebate_rate: 0.01 }, dryRun);
        expect([res.status, res.body.status]).toEqual([400, 2]);
        expect(res.body.data.fields).toHaveProperty(['payment_policy.deposit_min_amount']);
      }
      expect(await stored(brandId)).toEqual({ deposit_max_amount: 50 });
      expect(await stored(brandId, 'rebate_rate')).toBeUndefined();
      expect(await audit(brandId)).toHaveLength(1);
    });

    it('builds a policy from the scalars when the brand has none', async () => {
      const brandId = await insertBrand(h);
      const res = await importConfig(brandId, {
        deposit_min_amount: 5,
        payment_channel_plisio_enabled: false,
      });
      expect(res.body.data.written_keys).toEqual(['payment_policy']);
      expect(await stored(brandId)).toEqual({ deposit_min_amount: 5, plisio_enabled: false });
      expect(await audit(brandId)).toEqual([
        {
          prior_value: null,
          new_value: { deposit_min_amount: 5, plisio_enabled: false },
          operator_id: String(adminId),
        },
      ]);
    });

    it('serializes concurrent imports so that neither loses the other one fields', async () => {
      const brandId = await brandWithPolicy({ deposit_max_amount: 5000 });
      const results = await Promise.all([
        importConfig(brandId, { deposit_min_amount: 10 }),
        importConfig(brandId, { withdraw_min_amount: 20 }),
        importConfig(brandId, { withdraw_max_amount: 30 }),
      ]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await stored(brandId)).toEqual({
        deposit_min_amount: 10,
        deposit_max_amount: 5000,
        withdraw_min_amount: 20,
        withdraw_max_amount: 30,
      });
    });
  });

  it("lets an import's own payment_policy replace the stored one and win over its own scalars", async () => {
    const brandId = await brandWithPolicy();
    const res = await importConfig(brandId, {
      payment_policy: { deposit_min_amount: 200 },
      deposit_min_amount: 1,
      deposit_max_amount: 900,
    });
    expect([res.status, res.body.status]).toEqual([200, 0]);
    expect(await stored(brandId)).toEqual({ deposit_min_amount: 200, deposit_max_amount: 900 });
    expect(res.body.data.shadowed_legacy_keys).toEqual(['deposit_min_amount']);
  });

  it('refuses a legacy scalar on the per-key route (status 2) and stores nothing', async () => {
    const brandId = await brandWithPolicy();
    for (const key of ['deposit_min_amount', 'payment_channel_plisio_enabled']) {
      const res = await api(h, 'PUT', `/api/v1/brands/${brandId}/config/${key}`, {
        token,
        body: { value: 1 },
      });
      expect([key, res.status, res.body.status]).toEqual([key, 400, 2]);
      expect(res.body.data.fields).toHaveProperty([key]);
      expect(await stored(brandId, key)).toBeUndefined();
    }
    expect(await stored(brandId)).toEqual(STORED);
  });

  describe('NUL characters', () => {
    it('refuses a NUL in a per-key value, at any depth (400, status 2)', async () => {
      const brandId = await insertBrand(h);
      for (const [key, value] of [
        ['foo', 'a\u0000b'],
        ['i18n_overrides', { ko: { title: ['x', 'y\u0000'] } }],
        ['i18n_keys', { 'k\u0000': 1 }],
        ['frontend_config', { site_name: 'a\u0000' }],
        ['payment_policy', { channels: ['bank\u0000'] }],
      ] as const) {
        const res = await api(h, 'PUT', `/api/v1/brands/${brandId}/config/${key}`, {
          token,
          body: { value },
        });
        expect([key, res.status, res.body.status]).toEqual([key, 400, 2]);
      }
      expect(await h.ds.query(`SELECT key FROM brand_config WHERE brand_id = $1`, [brandId])).toEqual([]);
    });

    it('refuses a NUL anywhere in an import and writes nothing', async () => {
      const brandId = await insertBrand(h);
      for (const config of [{ bar: 'x\u0000' }, { rebate_rate: 0.01, nested: { a: [{ b: '\u0000' }] } }]) {
        const res = await importConfig(brandId, config);
        expect([res.status, res.body.status]).toEqual([400, 2]);
      }
      expect(await h.ds.query(`SELECT key FROM brand_config WHERE brand_id = $1`, [brandId])).toEqual([]);
    });

    it('keeps the six characters \\u0000 typed as text', async () => {
      const brandId = await insertBrand(h);
      const res = await api(h, 'PUT', `/api/v1/brands/${brandId}/config/foo`, {
        token,
        body: { value: 'a\\u0000b' },
      });
      expect([res.status, res.body.data.value]).toEqual([200, 'a\\u0000b']);
    });
  });

  it('answers 404 (status 5) for the audit trail of an unknown brand', async () => {
    const res = await api(h, 'GET', '/api/v1/brands/987654321/config/payment_policy/audit', { token });
    expect([res.status, res.body.status]).toEqual([404, 5]);
  });
});
