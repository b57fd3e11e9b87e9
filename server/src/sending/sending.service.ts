import type { Context } from '../context';
import { findInScope } from '../common/find';
import { actor } from '../context';
import { readScope, viaMailing, writeScope } from '../common/scope';
import { Mailing } from '../mailings/mailing.entity';
import { Attempt } from './attempt.entity';
import { messageIdDomain, openRun } from './run';
import type { RunProgress } from './run-progress.type';
import { progressOfAttempt } from './run-progress';

export class SendingService {
  constructor(private readonly ctx: Context) {}

  /** Opens a run of the caller's mailing now and hands it to the workers. */
  async sendNow(mailingId: string): Promise<Attempt> {
    await findInScope(this.ctx.em, Mailing, mailingId, writeScope(actor(this.ctx)));
    const attempt = await openRun(this.ctx.em, mailingId, messageIdDomain(this.ctx.app.config.MAIL_FROM));
    // Queues the run, and drops a planned start that has nothing left to do.
    await this.ctx.app.scheduler.mailingSaved(mailingId);
    return attempt;
  }

  /** Opens a new run of the attempt's mailing for the deliveries that failed in it. */
  async retryFailed(attemptId: string): Promise<Attempt> {
    const attempt = await findInScope(this.ctx.em, Attempt, attemptId, viaMailing(writeScope(actor(this.ctx))));
    const retry = await openRun(this.ctx.em, attempt.mailing.id, messageIdDomain(this.ctx.app.config.MAIL_FROM), new Date(), {
      retryFailedOf: attempt.id,
    });
    await this.ctx.app.scheduler.queueRun(retry.id);
    return retry;
  }

  async attemptProgress(attemptId: string): Promise<RunProgress> {
    const attempt = await findInScope(this.ctx.em, Attempt, attemptId, viaMailing(readScope(actor(this.ctx))));
    return progressOfAttempt(this.ctx.em, attempt);
  }

  /** The latest run's progress; null while the mailing has never run. */
  async mailingProgress(mailingId: string): Promise<RunProgress | null> {
    await findInScope(this.ctx.em, Mailing, mailingId, readScope(actor(this.ctx)));
    const latest = await this.ctx.em.findOne(Attempt, { mailing: mailingId }, { orderBy: { attemptedAt: 'desc', id: 'desc' } });
    return latest ? progressOfAttempt(this.ctx.em, latest) : null;
  }
}
