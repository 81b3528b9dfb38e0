/** admin_service entry point: config guards, then the Fastify app on PORT (CONTRACTS §1: 3003). */
import { always } from '@app/http';
import { createHttpApp, runMain } from '@app/platform';
import { AdminModule } from './app.module';
import { setupAdminDocs } from './docs';
import { AdminMetaModule } from './meta/admin-meta.module';
import { AdminStorageModule } from './storage/admin-storage.module';
import { AdminWsModule, configureAdminWs } from './ws/admin-ws.module';

runMain('admin', async (config) => {
  const app = await createHttpApp({
    service: 'admin_service',
    module: AdminModule.forRoot(config, [AdminWsModule, AdminMetaModule, AdminStorageModule]),
    surface: always('internal'),
  });
  // The ws adapter must be in place before init, or Nest looks for socket.io.
  configureAdminWs(app);
  setupAdminDocs(app);
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`admin listening on http://${config.HOST}:${config.PORT}\n`);
});
