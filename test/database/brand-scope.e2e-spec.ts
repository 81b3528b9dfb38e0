/**
 * Brand-scoped data access over a real PostgreSQL (ADR-009: "cross-brand
 * reads are not allowed in domain code paths"; seed 004 T16-A): the
 * repository never returns, changes or deletes another brand's rows, its
 * query builder stays pinned, brandTransaction sets app.brand_id only for
 * the transaction, and raw SQL without the pin is refused before it runs.
 */
import { Test } from '@nestjs/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { Metrics } from '@app/observability';
import { Brackets, type DataSource } from 'typeorm';
import { BrandContextRequiredError } from '@app/http';
import {
  asBrandId,
  type BrandId,
  brandRepo,
  createDataSource,
  CrossBrandReasonRequiredError,
  crossBrandSql,
  DATA_SOURCE,
  Database,
  DatabaseModule,
  Player,
  PlayerMessage,
  scopedSql,
  UnscopedQueryError,
  UnsafeAppRoleError,
} from '@app/database';
import { createSuiteDatabase, type SuiteDatabase } from '../support/db';

describe('brand-scoped data access', () => {
  let db: SuiteDatabase;
  let app: INestApplicationContext;
  let database: Database;
  /** Superuser connection for assertions that must see every brand (the app role sees one brand at a time). */
  let fixtures: DataSource;
  const brandA = asBrandId(1);
  let brandB: BrandId;
  let aliceA: number;
  let aliceB: number;

  beforeAll(async () => {
    db = await createSuiteDatabase('brand_scope');
    fixtures = await createDataSource({ url: db.url, poolSize: 1 }).initialize();
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: db.appUrl, poolSize: 4 })],
    }).compile();
    app = await moduleRef.init();
    database = app.get(Database);
    const [{ id }] = (await database.dataSource.query(
      `INSERT INTO brand (brand_code, name, default_currency) VALUES ('bb', 'Brand B', 'USD') RETURNING id`,
    )) as { id: number }[];
    brandB = asBrandId(id);
    aliceA = await database.brandTransaction(brandA, async (tx) => {
      const result = await tx.repo(Player).insert({ account: 'alice', passwordHash: 'ha', nickname: 'A' });
      return Number(result.identifiers[0].id);
    });
    aliceB = await database.brandTransaction(brandB, async (tx) => {
      const result = await tx.repo(Player).insert({ account: 'alice', passwordHash: 'hb', nickname: 'B' });
      await tx.repo(Player).insert([
        { account: 'bob', passwordHash: 'h' },
        { account: 'carol', passwordHash: 'h' },
      ]);
      return Number(result.identifiers[0].id);
    });
  });

  afterAll(async () => {
    await app.close();
    await fixtures.destroy();
    await db.drop();
  });

  it('provides the DataSource under DATA_SOURCE and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: db.appUrl, poolSize: 1 })],
    }).compile();
    const ctx = await moduleRef.init();
    const ds = ctx.get(DATA_SOURCE);
    expect(ds.isInitialized).toBe(true);
    await ctx.get(Database).ping();
    await ctx.close();
    expect(ds.isInitialized).toBe(false);
  });

  it.each([
    ['the superuser', () => db.url, /"postgres": it is a superuser; it has BYPASSRLS/],
    ['the table owner', () => db.ownerUrl, /it has BYPASSRLS; it owns \d+ table\(s\)/],
  ])('refuses to open the pool as %s, which would bypass row-level security', async (_who, url, message) => {
    const failure = await Test.createTestingModule({
      imports: [DatabaseModule.forRoot({ url: url(), poolSize: 1 })],
    })
      .compile()
      .then(
        () => null,
        (err: unknown) => err,
      );
    expect(failure).toBeInstanceOf(UnsafeAppRoleError);
    expect((failure as Error).message).toMatch(message);
  });

  describe('BrandScopedRepository', () => {
    it('stamps the bound brand on inserts', async () => {
      const rows = await fixtures.query(
        `SELECT id, brand_id FROM player WHERE account = 'alice' ORDER BY brand_id`,
      );
      expect(rows).toEqual([
        { id: String(aliceA), brand_id: brandA },
        { id: String(aliceB), brand_id: brandB },
      ]);
    });

    it("never finds another brand's rows", async () => {
      await database.brandTransaction(brandA, async (tx) => {
        const repo = tx.repo(Player);
        const found = await repo.find({ account: 'alice' });
        expect(found.map((p) => [p.id, p.brandId, p.nickname])).toEqual([[aliceA, brandA, 'A']]);
        expect(await repo.findOne({ id: aliceB })).toBeNull();
        expect(await repo.count({})).toBe(1);
        expect(await repo.find({}, { order: { id: 'ASC' } })).toHaveLength(1);
      });
      await database.brandTransaction(brandB, async (tx) => {
        expect(await tx.repo(Player).count({})).toBe(3);
        expect((await tx.repo(Player).findOne({ account: 'alice' }))?.id).toBe(aliceB);
      });
    });

    it("cannot update or delete another brand's rows", async () => {
      await database.brandTransaction(brandA, async (tx) => {
        expect(await tx.repo(Player).update({ id: aliceB }, { nickname: 'hijacked' })).toBe(0);
        expect(await tx.repo(Player).delete({ id: aliceB })).toBe(0);
        expect(await tx.repo(Player).update({ id: aliceA }, { nickname: 'A2' })).toBe(1);
      });
      const rows = await fixtures.query(
        `SELECT brand_id, nickname FROM player WHERE account = 'alice' ORDER BY brand_id`,
      );
      expect(rows).toEqual([
        { brand_id: brandA, nickname: 'A2' },
        { brand_id: brandB, nickname: 'B' },
      ]);
    });

    it('overrides a brandId smuggled past the types, and refuses undefined filters', async () => {
      const repo = brandRepo(database.dataSource.manager, Player, brandA);
      const smuggled = { account: 'alice', brandId: brandB } as unknown as Parameters<typeof repo.find>[0];
      expect((await repo.find(smuggled)).map((p) => p.brandId)).toEqual([brandA]);
      await expect(repo.findOne({ id: undefined })).rejects.toBeInstanceOf(UnscopedQueryError);
      const orArray = [{ account: 'alice' }, { account: 'bob' }] as unknown as Parameters<
        typeof repo.find
      >[0];
      await expect(repo.find(orArray)).rejects.toBeInstanceOf(UnscopedQueryError);
      const move = { brandId: brandB } as unknown as Parameters<typeof repo.update>[1];
      await expect(repo.update({ id: aliceA }, move)).rejects.toBeInstanceOf(UnscopedQueryError);
    });

    it('refuses entities without brand_id and brand ids that are not positive', () => {
      const manager = database.dataSource.manager;
      class NotAnEntity {
        brandId = 1;
      }
      expect(() => brandRepo(manager, NotAnEntity, brandA)).toThrow();
      expect(() => brandRepo(manager, Player, 0 as BrandId)).toThrow(BrandContextRequiredError);
    });
  });

  describe('queryBuilder', () => {
    const inA = <R>(fn: (repo: ReturnType<typeof brandRepo<Player>>) => Promise<R>) =>
      database.brandTransaction(brandA, async (tx) => fn(tx.repo(Player)));

    it('starts filtered by brand and keeps the filter when where() is called', async () => {
      const ids = await inA((repo) =>
        repo.queryBuilder('p').where('p.account = :account', { account: 'alice' }).getMany(),
      );
      expect(ids.map((p) => p.id)).toEqual([aliceA]);
      expect(await inA((repo) => repo.queryBuilder('p').whereInIds([aliceB]).getCount())).toBe(0);
    });

    it('parenthesises raw conditions so an OR cannot escape the brand', async () => {
      const count = await inA((repo) =>
        repo.queryBuilder('p').where("p.account = 'nobody' OR 1 = 1").getCount(),
      );
      expect(count).toBe(1);
      const sql = await inA(async (repo) =>
        repo.queryBuilder('p').andWhere('p.level > 0 OR p.level <= 0').getQuery(),
      );
      expect(sql).toContain(`WHERE "p"."brand_id" = :brandId AND (("p"."level" > 0 OR "p"."level" <= 0))`);
    });

    it('accepts OR inside Brackets, still pinned to the brand', async () => {
      const count = await inA((repo) =>
        repo
          .queryBuilder('p')
          .andWhere(
            new Brackets((qb) =>
              qb.where('p.account = :a', { a: 'alice' }).orWhere('p.account = :b', { b: 'bob' }),
            ),
          )
          .getCount(),
      );
      expect(count).toBe(1);
    });

    it('refuses top-level orWhere, rebinding brandId, and write builders', async () => {
      await inA(async (repo) => {
        expect(() => repo.queryBuilder('p').orWhere('1 = 1')).toThrow(UnscopedQueryError);
        expect(() => repo.queryBuilder('p').setParameter('brandId', brandB)).toThrow(UnscopedQueryError);
        expect(() => repo.queryBuilder('p').where('p.id > 0', { brandId: brandB })).toThrow(
          UnscopedQueryError,
        );
        expect(() => repo.queryBuilder('p').update()).toThrow(UnscopedQueryError);
        expect(() => repo.queryBuilder('p').delete()).toThrow(UnscopedQueryError);
        expect(() => repo.queryBuilder('p').from(PlayerMessage, 'm')).toThrow(UnscopedQueryError);
        // the same brand may be restated
        expect(
          await repo.queryBuilder('p').andWhere('p.brand_id = :brandId', { brandId: brandA }).getCount(),
        ).toBe(1);
      });
    });
  });

  describe('brandTransaction', () => {
    it('sets app.brand_id for the transaction only', async () => {
      const ds = createDataSource({ url: db.appUrl, poolSize: 1 });
      await ds.initialize();
      try {
        const single = new Database(ds);
        const inside = await single.brandTransaction(brandB, async (tx) => {
          const [row] = await tx.manager.query(`SELECT current_setting('app.brand_id', true) AS v`);
          return row.v;
        });
        expect(inside).toBe(String(brandB));
        // one pooled connection: the next query runs on the same session
        const [after] = await ds.query(`SELECT coalesce(current_setting('app.brand_id', true), '') AS v`);
        expect(after.v).toBe('');
        await expect(
          single.brandTransaction(brandA, async (tx) => {
            await tx.repo(Player).insert({ account: 'rolled-back', passwordHash: 'h' });
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM player WHERE account = 'rolled-back'`);
        expect(n).toBe(0);
      } finally {
        await ds.destroy();
      }
    });

    it('refuses a brand id that is not positive before opening a transaction', async () => {
      await expect(database.brandTransaction(0 as BrandId, async () => 1)).rejects.toBeInstanceOf(
        BrandContextRequiredError,
      );
      await expect(database.brandTransaction(-2 as BrandId, async () => 1)).rejects.toBeInstanceOf(
        BrandContextRequiredError,
      );
    });
  });

  describe('scopedSql / tx.sql', () => {
    it('binds the brand as $1 and the caller params from $2', async () => {
      const result = await database.brandTransaction(brandB, (tx) =>
        tx.sql<{ account: string }>(
          'SELECT account FROM player WHERE brand_id = $1 AND account <> $2 ORDER BY account',
          ['alice'],
        ),
      );
      expect(result.rows).toEqual([{ account: 'bob' }, { account: 'carol' }]);
      expect(result.rowCount).toBe(2);
      const updated = await database.brandTransaction(brandB, (tx) =>
        tx.sql(`UPDATE player SET level = level + 1 WHERE brand_id = $1 AND account = $2`, ['bob']),
      );
      expect(updated).toEqual({ rows: [], rowCount: 1 });
    });

    it('refuses unscoped SQL at run time without sending it', async () => {
      const before = await fixtures.query(`SELECT count(*)::int AS n FROM player`);
      const attempts = [
        'SELECT account FROM player WHERE account = $2',
        'DELETE FROM player WHERE account = $2',
        'UPDATE player SET nickname = $2 WHERE brand_id = $1 OR true',
        'INSERT INTO player (brand_id, account, password_hash) VALUES ($2, $3, $4)',
      ];
      for (const sql of attempts) {
        await expect(
          database.brandTransaction(brandA, (tx) => tx.sql(sql, ['alice', 'x', 'y'])),
        ).rejects.toBeInstanceOf(UnscopedQueryError);
      }
      await expect(scopedSql(database.dataSource, brandA, 'DELETE FROM player', [])).rejects.toBeInstanceOf(
        UnscopedQueryError,
      );
      expect(await fixtures.query(`SELECT count(*)::int AS n FROM player`)).toEqual(before);
    });

    it('crossBrandSql demands a reason and then reads across brands', async () => {
      await expect(
        crossBrandSql(database.dataSource, '  ', 'SELECT count(*) FROM player'),
      ).rejects.toBeInstanceOf(CrossBrandReasonRequiredError);
      const counted = async () =>
        (await Metrics.crossBrandAccess().get()).values.find((v) => v.labels.access === 'read')?.value ?? 0;
      const before = Number(await counted());
      const result = await database.crossBrandSql<{ n: number }>(
        'test: count players of every brand',
        `SELECT count(*)::int AS n FROM player WHERE account = $1`,
        ['alice'],
      );
      expect(result.rows).toEqual([{ n: 2 }]);
      // audited: every use is counted (and its reason logged)
      expect(Number(await counted())).toBe(before + 1);
      // the same statement without the opt-in sees no brand at all (row-level security, no brand bound)
      const plain = (await database.dataSource.query(
        `SELECT count(*)::int AS n FROM player WHERE account = $1`,
        ['alice'],
      )) as { n: number }[];
      expect(plain).toEqual([{ n: 0 }]);
    });
  });
});
