/**
 * `/agent/edit/phone|bank` and their `send-sms` siblings, with the legacy
 * `/user/edit/phone/*` and `/user/edit/bank/*` aliases (seed 001).
 */
import { Body, Controller } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand, RequestId } from '../edge/request-context';
import { Route } from '../http/route';
import { ContactEditService } from './contact-edit.service';
import { EditBankBody, EditPhoneBody, PhoneSendSmsBody, SmsSent } from './dto';

@ApiTags('profile')
@Controller()
export class ContactEditController {
  constructor(private readonly edits: ContactEditService) {}

  @Route('POST', 'agent/edit/phone/send-sms', {
    summary: 'Send a code to the new phone (audited)',
    data: SmsSent,
    legacy: ['user/edit/phone/send-sms'],
  })
  sendPhoneCode(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @RequestId() requestId: string | null,
    @Body() body: PhoneSendSmsBody,
  ): Promise<SmsSent> {
    return this.edits.sendPhoneCode(agent, brandId, body.phone, requestId);
  }

  @Route('POST', 'agent/edit/phone', {
    summary: 'Change the phone with the code (audited with the update)',
    data: null,
    legacy: ['user/edit/phone'],
  })
  editPhone(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @RequestId() requestId: string | null,
    @Body() body: EditPhoneBody,
  ): Promise<null> {
    return this.edits.editPhone(agent, brandId, body.phone, body.code, requestId);
  }

  @Route('POST', 'agent/edit/bank/send-sms', {
    summary: 'Send a code to the phone on file (audited)',
    data: SmsSent,
    legacy: ['user/edit/bank/send-sms'],
  })
  sendBankCode(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @RequestId() requestId: string | null,
  ): Promise<SmsSent> {
    return this.edits.sendBankCode(agent, brandId, requestId);
  }

  @Route('POST', 'agent/edit/bank', {
    summary: 'Change the payout bank with the code (audited with the update)',
    data: null,
    legacy: ['user/edit/bank'],
  })
  editBank(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @RequestId() requestId: string | null,
    @Body() body: EditBankBody,
  ): Promise<null> {
    return this.edits.editBank(agent, brandId, body, requestId);
  }
}
