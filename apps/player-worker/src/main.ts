/**
 * player_worker (seed 000 "Background Work"): the dedicated process that
 * publishes `player_outbox` rows to the `events:player` stream (CONTRACTS §4,
 * §6), writes WORKER_HEARTBEAT_FILE after every loop, and answers `/health`
 * with `db`, `redis` and `outbox` (loop alive) on its health port (3011).
 * SIGTERM stops after the in-flight batch.
 */
import { OutboxWorkerAppModule } from '@app/outbox';
import { createWorkerApp, runMain, startHealthServer } from '@app/platform';

runMain('player-worker', async (config) => {
  const module = OutboxWorkerAppModule.forRoot('player-worker', config, {
    table: 'player_outbox',
    stream: 'events:player',
  });
  const app = await createWorkerApp(module);
  await startHealthServer(app, config.PORT, config.HOST);
  process.stdout.write(`player-worker health on http://${config.HOST}:${config.PORT}\n`);
});
