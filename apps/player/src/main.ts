import { always } from '@app/http';
import { createHttpApp, runMain } from '@app/platform';
import { PlayerModule } from './app.module';

/** player_service: `/internal/players/*` and `/internal/common/*` behind the gateway (seed 000). */
runMain('player', async (config) => {
  const app = await createHttpApp({ service: 'player_service', module: PlayerModule.forRoot(config), surface: always('internal') });
  await app.listen(config.PORT, config.HOST);
  process.stdout.write(`player listening on http://${config.HOST}:${config.PORT}\n`);
});
