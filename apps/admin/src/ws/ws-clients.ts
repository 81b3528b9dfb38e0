/**
 * The authenticated admin sockets of this process (seed 004: top-info is
 * pushed to connected operators). Only sockets that passed every gate are
 * registered, so a broadcast never reaches an unauthenticated peer. Each
 * entry can cancel the timer that closes it at its token's `exp`.
 */
import { Injectable } from '@nestjs/common';
import { WebSocket } from 'ws';

export interface AdminSocketInfo {
  adminId: number;
  /** Cancels the timer that closes the socket at its token's `exp`. */
  cancelExpiry: () => void;
}

@Injectable()
export class WsClientRegistry {
  private readonly sockets = new Map<WebSocket, AdminSocketInfo>();

  add(socket: WebSocket, info: AdminSocketInfo): void {
    this.sockets.set(socket, info);
  }

  has(socket: WebSocket): boolean {
    return this.sockets.has(socket);
  }

  /** Forgets a socket and cancels its expiry timer. */
  remove(socket: WebSocket): void {
    const info = this.sockets.get(socket);
    info?.cancelExpiry();
    this.sockets.delete(socket);
  }

  get size(): number {
    return this.sockets.size;
  }

  /** Sends `{event, data}` to one socket if it is still open. */
  send(socket: WebSocket, event: string, data: unknown): boolean {
    if (socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify({ event, data }));
    return true;
  }

  /** Sends `{event, data}` to every registered open socket; returns how many got it. */
  broadcast(event: string, data: unknown): number {
    const frame = JSON.stringify({ event, data });
    let sent = 0;
    for (const socket of this.sockets.keys()) {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(frame);
        sent++;
      }
    }
    return sent;
  }

  /** Closes every socket (application shutdown). */
  closeAll(code: number, reason: string): void {
    for (const socket of [...this.sockets.keys()]) {
      this.remove(socket);
      socket.close(code, reason);
    }
  }
}
