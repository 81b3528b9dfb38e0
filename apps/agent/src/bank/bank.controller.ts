/**
 * `/agent/bank/*` (seed 001 "bank cards") with the legacy `/bank/list`: the
 * banks a payout account may use in the request brand, and the agent's own
 * payout card (masked). Changing it is the audited `/agent/edit/bank` flow.
 */
import { Controller, Injectable } from '@nestjs/common';
import { ApiProperty, ApiTags } from '@nestjs/swagger';
import { PiiCipher, mask } from '@app/crypto';
import type { BrandId } from '@app/database';
import { NotFoundError } from '@app/http';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { AgentsRepository } from '../shared/agents.repository';
import { type BankOption, BrandSettings } from '../shared/brand-settings';
import { PayoutBank } from '../withdraw/dto';

export class BankOptionRow implements BankOption {
  @ApiProperty({ example: 'KB' }) bank_id!: string;
  @ApiProperty({ example: 'KB Kookmin Bank' }) name!: string;
}

@Injectable()
export class BankService {
  constructor(
    private readonly settings: BrandSettings,
    private readonly agents: AgentsRepository,
    private readonly pii: PiiCipher,
  ) {}

  list(brandId: BrandId): Promise<BankOption[]> {
    return this.settings.banks(brandId);
  }

  async card(agentId: number, brandId: BrandId): Promise<PayoutBank> {
    const agent = await this.agents.findById(agentId);
    if (!agent) throw new NotFoundError('agent not found');
    const banks = agent.bankName ? await this.settings.banks(brandId) : [];
    return {
      bank_id: agent.bankName,
      bank_name: banks.find((b) => b.bank_id === agent.bankName)?.name ?? agent.bankName,
      bank_num: mask(this.pii.decrypt(agent.bankNum)),
      card_number: mask(this.pii.decrypt(agent.cardNumber)),
      holder_name: agent.holderName,
    };
  }
}

@ApiTags('bank')
@Controller()
export class BankController {
  constructor(private readonly banks: BankService) {}

  @Route('GET', 'agent/bank/list', {
    summary: 'Banks a payout account may use in this brand',
    data: [BankOptionRow],
    legacy: ['bank/list'],
  })
  list(@RequestBrand() brandId: BrandId): Promise<BankOption[]> {
    return this.banks.list(brandId);
  }

  @Route('GET', 'agent/bank/card', { summary: 'Your payout bank account (masked)', data: PayoutBank })
  card(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<PayoutBank> {
    return this.banks.card(agent.agentId, brandId);
  }
}
