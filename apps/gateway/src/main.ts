import { always } from '@app/http';
import { createHttpApp, runMain } from '@app/platform';
import { GatewayModule } from './app.module';

runMain('gateway', async (config) => {
  const app = await createHttpApp({
    service: 'gateway',
    module: GatewayModule.forRoot(config),
    surface: always('frontend'),
  });
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`gateway listening on http://${config.HOST}:${config.PORT}\n`);
});
