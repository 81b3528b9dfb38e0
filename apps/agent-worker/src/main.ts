/** agent_worker entry point: outbox publisher + health port (seed 001; CONTRACTS §1). SIGTERM stops after the in-flight batch. */
import { createWorkerApp, runMain, startHealthServer } from '@app/platform';
import { AgentWorkerModule } from './worker.module';

runMain('agent-worker', async (config) => {
  const app = await createWorkerApp(AgentWorkerModule.forRoot(config));
  await startHealthServer(app, config.PORT, config.HOST);
  process.stdout.write(`agent-worker health on http://${config.HOST}:${config.PORT}\n`);
});
