import 'reflect-metadata';
import { Reference } from '@mikro-orm/core';
import { findInScope } from '../common/find';
import { startLocalCatcher } from '../mail/local-catcher';
import { Mailing } from '../mailings/mailing.entity';
import type { DeliveryCounts } from '../sending/attempt-progress';
import { AttemptStatus, isOpenAttempt } from '../sending/attempt.entity';
import { SendingService } from '../sending/sending.service';
import { CliError, openCliRuntime, runCli, type CliRuntime } from './cli-runtime';

const USAGE = `usage: yarn mailing:send <mailing id>
Opens an attempt of the mailing and sends it here to the end, printing progress.
Exit code: 0 when every message was sent, 2 when some failed or are uncertain, 1 on error.`;

const summary = (c: DeliveryCounts) =>
  `${c.sent} sent, ${c.failed} failed, ${c.uncertain} uncertain, ${c.skipped} skipped, ${c.pending + c.sending} to go (of ${c.total})`;

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
  const interrupt = new AbortController();
  process.once('SIGINT', () => interrupt.abort());
  try {
    const em = runtime.orm.em.fork();
    const sending = new SendingService(em, { config: runtime.config, scheduler: await runtime.scheduler(smtp.url) });
    // The command sends as the mailing's owner would from the app.
    const owner = await Reference.create((await findInScope(em, Mailing, mailingId)).owner).loadOrFail();
    const attempt = await sending.openHere(owner, mailingId);
    const preparing = attempt.status === AttemptStatus.PREPARING ? ' so far; preparing the rest' : '';
    console.log(`Sending mailing ${mailingId} to ${attempt.total} recipients${preparing} (attempt ${attempt.id}).`);

    const progress = setInterval(() => {
      void sending.attemptProgress(owner, attempt.id).then((c) => console.log(`  ${summary(c)}`), () => undefined);
    }, 1000);
    const sent = await sending.sendHere(owner, attempt.id, interrupt.signal).finally(() => clearInterval(progress));

    if (sent.stop.kind !== 'closed' || isOpenAttempt(sent.attempt.status)) {
      const why = sent.stop.kind === 'held' ? 'the mailing was disabled or its owner blocked' : 'sending was interrupted';
      throw new CliError(`Stopped: ${why}; ${summary(sent.progress)}. The server's workers go on with the rest.`);
    }
    const { status, serverResponse } = sent.attempt;
    console.log(`Done: ${summary(sent.progress)}. Attempt ${status}${serverResponse ? `; last answer: ${serverResponse}` : ''}.`);
    if (status !== 'SUCCESS') process.exitCode = 2;
  } finally {
    await runtime.close();
    await smtp.close();
  }
}

runCli(main);
