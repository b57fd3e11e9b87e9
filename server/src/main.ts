import os from 'node:os';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { startSendingThread, type SendingThread } from './sending-thread';

async function main() {
  const config = loadConfig();
  // SERVER_ROLE=all: the API on this thread, the sending worker on a thread of its own (sending-thread.ts).
  const both = config.SERVER_ROLE === 'all';
  const app = await createApp(both ? { ...config, SERVER_ROLE: 'api' } : config);
  let sending: SendingThread | undefined;
  try {
    if (both) sending = await startSendingThread({ DATABASE_URL: app.databaseUrl, SMTP_URL: app.mailer.smtpUrl }, app.logger);
  } catch (error) {
    await app.close();
    throw error;
  }
  if (both && config.API_THREAD_NICE > 0) {
    // On Linux a thread's own: pid 0 is the calling thread (the sending thread, started already, keeps its priority).
    try {
      os.setPriority(0, Math.min(19, os.getPriority(0) + config.API_THREAD_NICE));
    } catch (err) {
      app.logger.warn({ err }, 'could not lower the API thread priority');
    }
  }
  const url = await app.listen();
  const serving = { all: `GraphQL at ${url}/graphql, sending mailings`, api: `GraphQL at ${url}/graphql`, worker: `a sending worker, health at ${url}/healthz` };
  app.logger.info(`mailing service listening on ${url} (${serving[config.SERVER_ROLE]})`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    await Promise.all([app.close(), sending?.close()]);
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
