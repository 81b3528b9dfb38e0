/** agent_service entry point (CONTRACTS §1, §10): config and boot guards first, then Fastify on PORT (3002). */
import { SERVICE_LABEL } from '@app/config';
import { always } from '@app/http';
import { createHttpApp, runMain } from '@app/platform';
import { AgentModule } from './app.module';

runMain('agent', async (config) => {
  const app = await createHttpApp({
    service: SERVICE_LABEL.agent,
    module: AgentModule.forRoot(config),
    surface: always('frontend'),
  });
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`agent listening on http://${config.HOST}:${config.PORT}\n`);
});
