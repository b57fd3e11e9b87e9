import { createApp } from './app';
import { ConfigError, loadConfig } from './config';

async function main() {
  const config = loadConfig();
  const app = await createApp(config);
  const url = await app.listen();
  const serving = { all: `GraphQL at ${url}/graphql, sending mailings`, api: `GraphQL at ${url}/graphql`, worker: `a sending worker, health at ${url}/healthz` };
  app.logger.info(`mailing service listening on ${url} (${serving[config.SERVER_ROLE]})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
