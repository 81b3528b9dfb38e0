/**
 * The admin socket's two paths (CONTRACTS §1, §7: `/api/v1/ws` and `/ws`),
 * served by `@nestjs/platform-ws`. `handleProtocols` goes straight to the
 * `ws` server (STACK pitfall 5) and selects only `bearer`, so the JWT sent as
 * the second subprotocol is never echoed. Both paths share one accept path
 * (AdminWsConnections). Clients may send `{"event": "ping"}`; only sockets
 * that passed the gates get the `pong`.
 */
import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  type OnGatewayConnection,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { selectProtocol } from './ws-auth';
import { AdminWsConnections } from './ws-connections';

/** Operators only send pings; anything bigger is refused by `ws` itself. */
const MAX_FRAME_BYTES = 16 * 1024;

const GATEWAY_OPTIONS = { handleProtocols: selectProtocol, maxPayload: MAX_FRAME_BYTES };

abstract class AdminWsGatewayBase implements OnGatewayConnection {
  private readonly logger = new Logger('AdminWs');

  constructor(private readonly connections: AdminWsConnections) {}

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    this.connections.accept(client, request).catch((err: unknown) => {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'admin ws accept failed');
      client.close(1011, 'internal error');
    });
  }

  @SubscribeMessage('ping')
  ping(@ConnectedSocket() client: WebSocket): { event: string; data: { at: string } } | undefined {
    if (!this.connections.isAuthenticated(client)) return undefined;
    return { event: 'pong', data: { at: new Date().toISOString() } };
  }
}

@WebSocketGateway({ path: '/api/v1/ws', ...GATEWAY_OPTIONS })
export class AdminWsGateway extends AdminWsGatewayBase {
  constructor(connections: AdminWsConnections) {
    super(connections);
  }
}

@WebSocketGateway({ path: '/ws', ...GATEWAY_OPTIONS })
export class AdminWsLegacyPathGateway extends AdminWsGatewayBase {
  constructor(connections: AdminWsConnections) {
    super(connections);
  }
}
