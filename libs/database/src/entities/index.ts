/**
 * Every entity registered on the DataSource. Outbox and audit tables are
 * written with SQL by @app/outbox and @app/audit and have no entity.
 */
import {
  AdminOperator,
  Brand,
  BrandConfig,
  BrandConfigAudit,
  BrandProviderConfig,
  Provider,
} from './brand.entities';
import { Agent, AgentBrand, AgentDomain, AgentMessage, AgentSetting, LevelDomain } from './agent.entities';
import { Banner, Player, PlayerMessage, PlayerNotice } from './player.entities';
import {
  AgentBalanceLog,
  AgentLoginLog,
  AgentWithdraw,
  Coupon,
  CouponLog,
  CouponRecycleLog,
  DailyStatistics,
  PlayerBalanceLog,
  PlayerDeposit,
  PlayerLoginLog,
  PlayerWithdraw,
} from './money.entities';

export * from './brand.entities';
export * from './agent.entities';
export * from './player.entities';
export * from './money.entities';
export { bigintAsNumber } from './columns';

export const ALL_ENTITIES = [
  Brand,
  BrandConfig,
  BrandConfigAudit,
  Provider,
  BrandProviderConfig,
  AdminOperator,
  Agent,
  AgentBrand,
  AgentSetting,
  AgentDomain,
  LevelDomain,
  AgentMessage,
  Player,
  PlayerMessage,
  PlayerNotice,
  Banner,
  PlayerDeposit,
  PlayerWithdraw,
  AgentWithdraw,
  Coupon,
  CouponLog,
  CouponRecycleLog,
  PlayerBalanceLog,
  AgentBalanceLog,
  PlayerLoginLog,
  AgentLoginLog,
  DailyStatistics,
];
