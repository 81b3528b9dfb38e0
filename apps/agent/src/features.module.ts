/**
 * The agent portal's route groups (seed 001 "Primary Entry Points"), one
 * controller + service per group; shared infrastructure comes from
 * AgentSharedModule.
 */
import { Module } from '@nestjs/common';
import { AccountController } from './account/account.controller';
import { AccountService } from './account/account.service';
import { BankController, BankService } from './bank/bank.controller';
import { CommonController, CommonService } from './common/common.controller';
import { CouponController } from './coupon/coupon.controller';
import { CouponService } from './coupon/coupon.service';
import { ContactEditController } from './edit/contact-edit.controller';
import { ContactEditService } from './edit/contact-edit.service';
import { HomeController } from './home/home.controller';
import { HomeService } from './home/home.service';
import { MessagesController } from './messages/messages.controller';
import { MessagesService } from './messages/messages.service';
import { PlayerController } from './player/player.controller';
import { PlayerService } from './player/player.service';
import { ProviderController } from './provider/provider.controller';
import { ProviderService } from './provider/provider.service';
import { RecoveryController } from './recovery/recovery.controller';
import { StatisticsRepository } from './statistics/statistics.repository';
import { SubController } from './sub/sub.controller';
import { SubService } from './sub/sub.service';
import { WithdrawController } from './withdraw/withdraw.controller';
import { WithdrawService } from './withdraw/withdraw.service';
import { AgentRecoveryModule } from './recovery/agent-recovery.module';

@Module({
  imports: [AgentRecoveryModule],
  controllers: [
    AccountController,
    ContactEditController,
    RecoveryController,
    HomeController,
    WithdrawController,
    PlayerController,
    SubController,
    BankController,
    MessagesController,
    CouponController,
    ProviderController,
    CommonController,
  ],
  providers: [
    AccountService,
    ContactEditService,
    StatisticsRepository,
    HomeService,
    WithdrawService,
    PlayerService,
    SubService,
    BankService,
    MessagesService,
    CouponService,
    ProviderService,
    CommonService,
  ],
})
export class AgentFeaturesModule {}
