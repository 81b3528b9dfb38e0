/**
 * `/agent/*` auth and profile routes with their legacy `/user/*` aliases
 * (seed 001). Controllers only map HTTP to the service.
 */
import { Body, Controller, Headers } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, ClientIp, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { AccountService } from './account.service';
import { AgentInfo, EditPasswordBody, EditPasswordResult, LoginBody, LoginResult, TopInfo } from './dto';

@ApiTags('auth')
@Controller()
export class AccountController {
  constructor(private readonly account: AccountService) {}

  @Route('POST', 'agent/login', {
    summary: 'Log in; the token carries the brand of the request domain',
    data: LoginResult,
    public: true,
    legacy: ['user/login'],
  })
  login(
    @Body() body: LoginBody,
    @RequestBrand() brandId: BrandId,
    @ClientIp() ip: string,
    @Headers('user-agent') userAgent: string | undefined,
  ): Promise<LoginResult> {
    return this.account.login(body.account, body.password, {
      brandId,
      ip,
      userAgent: userAgent?.slice(0, 512) ?? null,
    });
  }

  @Route('POST', 'agent/refresh', {
    summary: 'Mint a fresh token for the current agent and brand',
    data: LoginResult,
    legacy: ['user/refresh_token'],
  })
  refresh(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<LoginResult> {
    return this.account.refresh(agent, brandId);
  }

  @Route('POST', 'agent/logout', { summary: 'Revoke the presented token', data: null })
  logout(@CurrentAgent() agent: AgentPrincipal): Promise<null> {
    return this.account.logout(agent);
  }

  @Route('GET', 'agent/info', {
    summary: 'The agent profile (PII masked)',
    data: AgentInfo,
    legacy: ['user/info'],
  })
  info(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<AgentInfo> {
    return this.account.info(agent, brandId);
  }

  @Route('GET', 'agent/top_info', {
    summary: 'Header-bar summary: balance, unread messages, players',
    data: TopInfo,
    legacy: ['user/top_info'],
  })
  topInfo(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<TopInfo> {
    return this.account.topInfo(agent, brandId);
  }

  @Route('POST', 'agent/edit/password', {
    summary: 'Change the password; every token of the agent is revoked',
    data: EditPasswordResult,
    legacy: ['user/edit/password'],
  })
  editPassword(
    @CurrentAgent() agent: AgentPrincipal,
    @Body() body: EditPasswordBody,
  ): Promise<EditPasswordResult> {
    return this.account.editPassword(agent, body.old_password, body.new_password);
  }
}
