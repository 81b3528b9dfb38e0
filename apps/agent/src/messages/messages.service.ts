/**
 * The agent inbox (seed 001 `/agent/messages/*`): agent_message rows of the
 * authenticated agent in the request brand only (an id from another brand or
 * agent is "not found").
 */
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { AgentMessage, type BrandId, Database } from '@app/database';
import { NotFoundError } from '@app/http';
import { type Page, type PageQuery, pageWindow } from '../shared/paging';
import type { MessageRow } from './dto';

function toRow(row: AgentMessage): MessageRow {
  return {
    id: row.id,
    title: row.title,
    content: row.content,
    is_read: row.isRead,
    read_at: row.readAt ? row.readAt.toISOString() : null,
    created_at: row.createdAt.toISOString(),
  };
}

@Injectable()
export class MessagesService {
  constructor(private readonly db: Database) {}

  list(agentId: number, brandId: BrandId, query: PageQuery): Promise<Page<MessageRow>> {
    const { page, size, offset } = pageWindow(query);
    return this.db.brandTransaction(brandId, async (tx) => {
      const repo = tx.repo(AgentMessage);
      const [items, total] = await Promise.all([
        repo.find({ agentId }, { order: { id: 'DESC' }, take: size, skip: offset }),
        repo.count({ agentId }),
      ]);
      return { items: items.map(toRow), total, page, size };
    });
  }

  async one(agentId: number, brandId: BrandId, id: number): Promise<MessageRow> {
    const row = await this.db.brandTransaction(brandId, (tx) =>
      tx.repo(AgentMessage).findOne({ agentId, id }),
    );
    if (!row) throw new NotFoundError('message not found');
    return toRow(row);
  }

  markRead(agentId: number, brandId: BrandId, ids: number[] | undefined): Promise<{ updated: number }> {
    return this.db.brandTransaction(brandId, async (tx) => {
      const repo = tx.repo(AgentMessage);
      const where = ids === undefined ? { agentId, isRead: false } : { agentId, isRead: false, id: In(ids) };
      const updated =
        ids !== undefined && ids.length === 0
          ? 0
          : await repo.update(where, { isRead: true, readAt: new Date() });
      return { updated };
    });
  }

  unreadCount(agentId: number, brandId: BrandId): Promise<{ count: number }> {
    return this.db.brandTransaction(brandId, async (tx) => ({
      count: await tx.repo(AgentMessage).count({ agentId, isRead: false }),
    }));
  }
}
