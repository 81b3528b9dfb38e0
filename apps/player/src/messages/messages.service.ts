/**
 * Player messages (seed 000 "player messages"; ADR-009: brand-scoped rows):
 * a paged list newest first, one message (reading marks it read), and the
 * unread count. Every query runs in the player's brand transaction and is
 * filtered by player_id, so another player's or another brand's message is
 * simply not found (status 5).
 */
import { Injectable } from '@nestjs/common';
import { PlayerMessage } from '@app/database';
import { NotFoundError } from '@app/http';
import { PlayerAccessService } from '../shared/player-access.service';
import type { PlayerIdentity } from '../shared/request-info';

export interface MessageView {
  id: number;
  title: string;
  content: string;
  is_read: boolean;
  read_at: string | null;
  created_at: string;
}

export interface MessagePage {
  items: MessageView[];
  page: number;
  page_size: number;
  total: number;
}

function view(m: PlayerMessage): MessageView {
  return {
    id: m.id,
    title: m.title,
    content: m.content,
    is_read: m.isRead,
    read_at: m.readAt ? m.readAt.toISOString() : null,
    created_at: m.createdAt.toISOString(),
  };
}

@Injectable()
export class MessagesService {
  constructor(private readonly access: PlayerAccessService) {}

  list(identity: PlayerIdentity, brandId: number, page: number, pageSize: number): Promise<MessagePage> {
    return this.access.withPlayer(identity, brandId, async (tx, { player }) => {
      const repo = tx.repo(PlayerMessage);
      // One connection per transaction: sequential, not Promise.all.
      const items = await repo.find({ playerId: player.id }, { order: { id: 'DESC' }, skip: (page - 1) * pageSize, take: pageSize });
      const total = await repo.count({ playerId: player.id });
      return { items: items.map(view), page, page_size: pageSize, total };
    });
  }

  /** Returns the message and marks it read (first read sets read_at). */
  read(identity: PlayerIdentity, brandId: number, id: number): Promise<MessageView> {
    return this.access.withPlayer(identity, brandId, async (tx, { player }) => {
      const repo = tx.repo(PlayerMessage);
      const message = await repo.findOne({ id, playerId: player.id });
      if (!message) throw new NotFoundError('message not found');
      if (!message.isRead) {
        const readAt = new Date();
        await repo.update({ id, playerId: player.id }, { isRead: true, readAt });
        message.isRead = true;
        message.readAt = readAt;
      }
      return view(message);
    });
  }

  unreadCount(identity: PlayerIdentity, brandId: number): Promise<{ count: number }> {
    return this.access.withPlayer(identity, brandId, async (tx, { player }) => ({
      count: await tx.repo(PlayerMessage).count({ playerId: player.id, isRead: false }),
    }));
  }
}
