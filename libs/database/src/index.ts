/**
 * @app/database: the data layer every app with a database uses. Brand-scoped
 * access goes through Database.brandTransaction / brandRepo / scopedSql, all
 * of which need a BrandId (ADR-009: brand filtering must be hard to forget).
 */
export { type BrandId, asBrandId, isBrandId } from './brand-id';
export { UnscopedQueryError, CrossBrandReasonRequiredError } from './errors';
export { BRAND_SCOPED_TABLES, isBrandScopedTable } from './tables';
export {
  type DataSourceSettings,
  type MigrationClass,
  MIGRATIONS_TABLE,
  createDataSource,
  runMigrations,
  revertLastMigration,
  ensureDatabase,
  splitDatabaseUrl,
  quoteIdent,
} from './data-source';
export {
  type BrandScopedEntity,
  type EntityClass,
  type ScopedWhere,
  type ScopedValues,
  type ScopedFindOptions,
  type ScopedFindOneOptions,
  BRAND_PARAMETER,
  BrandScopedRepository,
  BrandScopedQueryBuilder,
  brandRepo,
} from './brand-repository';
export {
  type SqlExecutor,
  type SqlResult,
  scopedSql,
  type CrossBrandAccess,
  CROSS_BRAND_SETTING,
  crossBrandSql,
  assertBrandScopedSql,
} from './scoped-sql';
export { withBrand, withRowBrand, isBoundTo, SET_BRAND_SQL } from './brand-binding';
export { type RoleUrls, type SetupReport, roleOf, setupRoles, grantAppRole } from './roles';
export { type RoleFacts, readRoleFacts, assertAppRole, UnsafeAppRoleError } from './role-guard';
export { findUnscopedReason } from './sql-guard';
export { DATA_SOURCE, Database, type BrandTx } from './database.service';
export {
  DatabaseModule,
  type DatabaseModuleOptions,
  type DatabaseModuleAsyncOptions,
} from './database.module';
export * from './entities';
