import { parentPort, threadId, workerData } from 'node:worker_threads';
import { createApp } from './app';
import { loadConfig } from './config';
import type { SendingThreadNews } from './sending-thread';

/** The sending thread of a SERVER_ROLE=all process (see sending-thread.ts): a worker app without HTTP. */
async function main() {
  const port = parentPort!;
  const tell = (news: SendingThreadNews) => port.postMessage(news);
  try {
    const { env } = workerData as { env: Record<string, string> };
    const app = await createApp(loadConfig({ ...process.env, ...env }));
    port.once('message', () => {
      app
        .close()
        .catch((err: unknown) => app.logger.error({ err }, 'the sending thread did not close cleanly'))
        .finally(() => process.exit(0));
    });
    app.logger.info({ threadId }, 'sending thread started');
    tell({ kind: 'started' });
  } catch (error) {
    tell({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

void main();
