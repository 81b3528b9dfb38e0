/**
 * `/agent/recovery/request|verify|reset` (the player recovery shapes,
 * CONTRACTS §7) and the legacy one-call `/agent/forget` (+ `/user/forget`):
 * without a code it requests one; with `code` and `new_password` it verifies
 * and resets in one call. All public; the brand is the request domain's.
 */
import { Body, Controller, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { RecoveryRequestContext } from '@app/recovery';
import { type AgentRawRequest, ClientIp, rawRequest, RequestId } from '../edge/request-context';
import { Route } from '../http/route';
import { AgentRecovery } from './agent-recovery';
import {
  Accepted,
  ForgetBody,
  ForgetResult,
  RecoveryRequestBody,
  RecoveryResetBody,
  RecoveryVerifyBody,
  ResetToken,
} from './dto';

/** The recovery context: the request brand (null when none resolved), client IP and request id. */
const Ctx = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Omit<RecoveryRequestContext, 'ip' | 'requestId'> => {
    const raw: AgentRawRequest = rawRequest(context);
    return { brandId: raw.brandId && raw.brandId > 0 ? raw.brandId : null };
  },
);

@ApiTags('recovery')
@Controller()
export class RecoveryController {
  constructor(private readonly recovery: AgentRecovery) {}

  @Route('POST', 'agent/recovery/request', {
    summary: 'Send a recovery code (same answer for unknown contacts)',
    data: Accepted,
    public: true,
  })
  request(
    @Ctx() ctx: Pick<RecoveryRequestContext, 'brandId'>,
    @ClientIp() ip: string,
    @RequestId() requestId: string | null,
    @Body() body: RecoveryRequestBody,
  ) {
    return this.recovery.request({ ...ctx, ip, requestId }, body.contact);
  }

  @Route('POST', 'agent/recovery/verify', {
    summary: 'Exchange the code for a single-use reset token',
    data: ResetToken,
    public: true,
  })
  verify(
    @Ctx() ctx: Pick<RecoveryRequestContext, 'brandId'>,
    @ClientIp() ip: string,
    @RequestId() requestId: string | null,
    @Body() body: RecoveryVerifyBody,
  ) {
    return this.recovery.verify({ ...ctx, ip, requestId }, body.contact, body.code);
  }

  @Route('POST', 'agent/recovery/reset', {
    summary: 'Set a new password; every agent token is revoked',
    data: null,
    public: true,
  })
  reset(
    @Ctx() ctx: Pick<RecoveryRequestContext, 'brandId'>,
    @ClientIp() ip: string,
    @RequestId() requestId: string | null,
    @Body() body: RecoveryResetBody,
  ) {
    return this.recovery.reset({ ...ctx, ip, requestId }, body.reset_token, body.new_password);
  }

  @Route('POST', 'agent/forget', {
    summary: 'Legacy one-call recovery: request a code, or reset with code + new_password',
    data: ForgetResult,
    public: true,
    legacy: ['user/forget'],
  })
  forget(
    @Ctx() ctx: Pick<RecoveryRequestContext, 'brandId'>,
    @ClientIp() ip: string,
    @RequestId() requestId: string | null,
    @Body() body: ForgetBody,
  ): Promise<ForgetResult> {
    return this.recovery.forget({ ...ctx, ip, requestId }, body);
  }
}
