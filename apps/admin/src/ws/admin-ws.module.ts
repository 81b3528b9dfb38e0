/**
 * The admin WebSocket feature (seed 004 "Admin WebSocket auth (T4-D-I7)" and
 * top-info delivery). Needs the `ws` adapter on the app before `init()`:
 * call `configureAdminWs(app)` right after `createHttpApp` (without it Nest
 * falls back to socket.io, which this project does not ship). Tokens are
 * checked by the admin auth module's AdminIdentityService (global once
 * AdminAuthModule is imported, as AdminModule.forRoot does).
 */
import { type INestApplication, Module, type OnModuleInit } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { HealthRegistry } from '@app/health';
import { AdminWsGateway, AdminWsLegacyPathGateway } from './admin-ws.gateway';
import { adminWsTokenVerifierProvider } from './ws-token';
import { WsClientRegistry } from './ws-clients';
import { AdminWsConnections } from './ws-connections';
import { WsAcceptLimiter } from './ws-rate-limit';
import { TopInfoService } from './top-info.service';

/** Installs the `ws` adapter; call before `app.init()` / `app.listen()`. */
export function configureAdminWs<T extends INestApplication>(app: T): T {
  app.useWebSocketAdapter(new WsAdapter(app));
  return app;
}

@Module({
  providers: [
    adminWsTokenVerifierProvider,
    WsClientRegistry,
    WsAcceptLimiter,
    TopInfoService,
    AdminWsConnections,
    AdminWsGateway,
    AdminWsLegacyPathGateway,
  ],
  exports: [TopInfoService, WsClientRegistry],
})
export class AdminWsModule implements OnModuleInit {
  constructor(
    private readonly health: HealthRegistry,
    private readonly clients: WsClientRegistry,
  ) {}

  onModuleInit(): void {
    this.health.setInfo('admin_ws_clients', () => this.clients.size);
  }
}
