/** admin_worker entry point: config guards, the scheduled jobs, and the health server on PORT (CONTRACTS §1: 3013). */
import { createWorkerApp, runMain, startHealthServer } from '@app/platform';
import { AdminWorkerModule } from './admin-worker.module';

runMain('admin-worker', async (config) => {
  const app = await createWorkerApp(AdminWorkerModule.forRoot(config));
  await startHealthServer(app, config.PORT, config.HOST);
  process.stdout.write(`admin-worker health on http://${config.HOST}:${config.PORT}\n`);
});
