/**
 * agent_worker (seed 001 "Background Work": agent outbox rows to Redis
 * Streams with heartbeat-backed supervision): publishes `agent_outbox` to
 * `events:agent` (CONTRACTS §4, §6), writes WORKER_HEARTBEAT_FILE after every
 * loop, and answers `/health` with `db`, `redis` and `outbox` on its health
 * port (3012). SIGTERM stops after the in-flight batch.
 */
import { OutboxWorkerAppModule } from '@app/outbox';
import { createWorkerApp, runMain, startHealthServer } from '@app/platform';

runMain('agent-worker', async (config) => {
  const module = OutboxWorkerAppModule.forRoot('agent-worker', config, {
    table: 'agent_outbox',
    stream: 'events:agent',
  });
  const app = await createWorkerApp(module);
  await startHealthServer(app, config.PORT, config.HOST);
  process.stdout.write(`agent-worker health on http://${config.HOST}:${config.PORT}\n`);
});
