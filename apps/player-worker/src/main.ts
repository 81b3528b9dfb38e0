import { createWorkerApp, runMain, startHealthServer } from '@app/platform';
import { PlayerWorkerModule } from './worker.module';

/** player_worker: outbox publisher + health port (seed 000; CONTRACTS §1). SIGTERM stops after the in-flight batch. */
runMain('player-worker', async (config) => {
  const app = await createWorkerApp(PlayerWorkerModule.forRoot(config));
  await startHealthServer(app, config.PORT, config.HOST);
  process.stdout.write(`player-worker health on http://${config.HOST}:${config.PORT}\n`);
});
