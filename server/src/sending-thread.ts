import { once } from 'node:events';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from './common/logger';

/**
 * The sending worker keeps at most two claimed batches per attempt (~45 MB of live heap at
 * 1,000,000 recipients, bench/README.md). Each message makes ~200 KB of short-lived garbage
 * (nodemailer builds it): V8 gives a young generation of 24 MB semi-spaces of 8 MB (8 MB gave
 * 4 MB, a scavenge every ~15 messages; garbage collection took ~8 % of the thread's time).
 */
const THREAD_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 24 };

/** What the thread tells the process: started, or could not start. */
export type SendingThreadNews = { kind: 'started' } | { kind: 'failed'; message: string };

export interface SendingThread {
  /** Lets the sends in flight finish and be recorded (as a worker's shutdown does), then ends the thread. */
  close(): Promise<void>;
}

/**
 * SERVER_ROLE=all runs the sending worker on a thread of its own: SMTP is a conversation of
 * several round trips per message, and each answer waits for an event-loop turn, so a loop
 * shared with busy GraphQL requests starved sending (bench/README.md, mixed load). The thread
 * is a `worker` app with its own loop, database pool and SMTP pool; `env` is added to the
 * process's environment for it (the database and SMTP server the API side resolved).
 * If the thread dies, the process exits, for its supervisor to start it again.
 */
export async function startSendingThread(env: Record<string, string>, logger: Logger): Promise<SendingThread> {
  // The same extension as this file: .ts under `yarn dev` (the -r register hook is inherited), .js when built.
  const entry = path.join(__dirname, `sending-thread-main${path.extname(__filename)}`);
  const thread = new Worker(entry, { workerData: { env: { ...env, SERVER_ROLE: 'worker' } }, resourceLimits: THREAD_HEAP });
  let closing = false;
  const [news] = (await Promise.race([
    once(thread, 'message'),
    once(thread, 'error').then(([error]: unknown[]) => [{ kind: 'failed', message: String(error) }]),
  ])) as [SendingThreadNews];
  if (news.kind === 'failed') {
    await thread.terminate();
    throw new Error(`the sending thread did not start: ${news.message}`);
  }
  thread.on('error', (err) => logger.error({ err }, 'the sending thread failed'));
  thread.on('exit', (code) => {
    if (closing) return;
    logger.fatal({ code }, 'the sending thread stopped; exiting');
    process.exit(1);
  });
  return {
    async close() {
      if (closing) return;
      closing = true;
      const exited = once(thread, 'exit');
      thread.postMessage('close');
      await exited;
    },
  };
}
