import 'reflect-metadata';
import { startLocalCatcher } from '../mail/local-catcher';
import { AppError } from '../common/errors';
import { Attempt } from '../sending/attempt.entity';
import { liveCountsOf, progressOfAttempt, type DeliveryCounts } from '../sending/attempt-progress';
import { messageIdDomain, openAttempt } from '../sending/open-attempt';
import { createScheduler } from '../sending/scheduler';
import { CliError, openCliRuntime, runCli, type CliRuntime } from './cli-runtime';

const USAGE = `usage: yarn mailing:send <mailing id>
Opens an attempt of the mailing and sends it here to the end, printing progress.
Exit code: 0 when every message was sent, 2 when some failed or are uncertain, 1 on error.`;

const summary = (c: DeliveryCounts) =>
  `${c.sent} sent, ${c.failed} failed, ${c.uncertain} uncertain, ${c.pending + c.sending} to go (of ${c.total})`;

/** Mail goes to SMTP_URL; without one, to the running dev server's mail catcher or a catcher of our own. */
async function mailServer({ config, logger }: CliRuntime): Promise<{ url: string; close(): Promise<void> }> {
  if (config.SMTP_URL) return { url: config.SMTP_URL, close: async () => undefined };
  try {
    return await startLocalCatcher(config.LOCAL_SMTP_PORT, logger);
  } catch {
    return { url: `smtp://127.0.0.1:${config.LOCAL_SMTP_PORT}`, close: async () => undefined };
  }
}

async function main() {
  const mailingId = process.argv[2]?.trim();
  if (!mailingId || process.argv.length > 3) throw new CliError(USAGE);
  const runtime = await openCliRuntime();
  const smtp = await mailServer(runtime);
  const config = { ...runtime.config, SCHEDULER_ENABLED: false };
  const scheduler = await createScheduler({ ...runtime, config, smtpUrl: smtp.url });
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  try {
    let attempt: Attempt;
    try {
      attempt = await openAttempt(runtime.orm.em, mailingId, messageIdDomain(config.MAIL_FROM));
    } catch (error) {
      if (error instanceof AppError) throw new CliError(`Cannot send mailing ${mailingId}: ${error.message}`);
      throw error;
    }
    // Should this process die, a worker takes the attempt up once its claims have lapsed.
    await scheduler.queueAttempt(attempt.id, new Date(Date.now() + config.JOB_LOCK_LIFETIME_MS));
    console.log(`Sending mailing ${mailingId} to ${attempt.total} recipients (attempt ${attempt.id}).`);

    const em = runtime.orm.em.fork();
    const progress = setInterval(() => {
      void liveCountsOf(em, attempt.id).then((c) => console.log(`  ${summary(c)}`), () => undefined);
    }, 1000);
    const stop = await scheduler.sendInProcess(attempt.id, interrupt.signal).finally(() => clearInterval(progress));

    // Drops a planned start that has nothing left to do, or hands an unfinished attempt to the workers.
    await scheduler.mailingSaved(mailingId);
    const closed = await runtime.orm.em.fork().findOneOrFail(Attempt, attempt.id);
    const counts = await progressOfAttempt(runtime.orm.em.fork(), closed);
    if (stop.kind !== 'closed' || closed.status === 'RUNNING') {
      const why = stop.kind === 'disabled' ? 'the mailing was disabled' : 'sending was interrupted';
      throw new CliError(`Stopped: ${why}; ${summary(counts)}. The server's workers go on with the rest.`);
    }
    console.log(`Done: ${summary(counts)}. Attempt ${closed.status}${closed.serverResponse ? `; last answer: ${closed.serverResponse}` : ''}.`);
    if (closed.status !== 'SUCCESS') process.exitCode = 2;
  } finally {
    await scheduler.close();
    await smtp.close();
    await runtime.close();
  }
}

runCli(main);
