/** `/agent/messages/*` with the legacy `/messages/*` aliases (list, {id}, read, unread/count; seed 001). */
import { Body, Controller, Param, ParseIntPipe, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { BrandId } from '@app/database';
import { type AgentPrincipal, CurrentAgent, RequestBrand } from '../edge/request-context';
import { Route } from '../http/route';
import { type Page, PageQuery } from '../shared/paging';
import { MessageRow, ReadBody, ReadResult, UnreadCount } from './dto';
import { MessagesService } from './messages.service';

@ApiTags('messages')
@Controller()
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Route('GET', 'agent/messages/list', {
    summary: 'Your messages in this brand, newest first',
    data: { page: MessageRow },
    legacy: ['messages/list'],
  })
  list(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Query() query: PageQuery,
  ): Promise<Page<MessageRow>> {
    return this.messages.list(agent.agentId, brandId, query);
  }

  @Route('GET', 'agent/messages/unread/count', {
    summary: 'Unread messages in this brand',
    data: UnreadCount,
    legacy: ['messages/unread/count'],
  })
  unread(@CurrentAgent() agent: AgentPrincipal, @RequestBrand() brandId: BrandId): Promise<UnreadCount> {
    return this.messages.unreadCount(agent.agentId, brandId);
  }

  @Route('POST', 'agent/messages/read', {
    summary: 'Mark messages read',
    data: ReadResult,
    legacy: ['messages/read'],
  })
  read(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Body() body: ReadBody,
  ): Promise<ReadResult> {
    return this.messages.markRead(agent.agentId, brandId, body.ids);
  }

  @Route('GET', 'agent/messages/:id', { summary: 'One message', data: MessageRow, legacy: ['messages/:id'] })
  one(
    @CurrentAgent() agent: AgentPrincipal,
    @RequestBrand() brandId: BrandId,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<MessageRow> {
    return this.messages.one(agent.agentId, brandId, id);
  }
}
