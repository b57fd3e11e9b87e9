import type { Context } from '../context';
import { findInScope } from '../common/find';
import { actor } from '../context';
import { readScope, viaMailing, writeScope } from '../common/scope';
import { Mailing } from '../mailings/mailing.entity';
import { Attempt } from './attempt.entity';
import { progressOfAttempt } from './attempt-progress';
import type { AttemptProgress } from './attempt-progress.type';
import { messageIdDomain, openAttempt } from './open-attempt';

export class SendingService {
  constructor(private readonly ctx: Context) {}

  /** Opens an attempt of the caller's mailing now and hands it to the workers. */
  async sendNow(mailingId: string): Promise<Attempt> {
    await findInScope(this.ctx.em, Mailing, mailingId, writeScope(actor(this.ctx)));
    const attempt = await openAttempt(this.ctx.em, mailingId, messageIdDomain(this.ctx.app.config.MAIL_FROM));
    // Queues the attempt, and drops a planned start that has nothing left to do.
    await this.ctx.app.scheduler.mailingSaved(mailingId);
    return attempt;
  }

  /** Opens a new attempt of the mailing for the deliveries that failed in this one. */
  async retryFailed(attemptId: string): Promise<Attempt> {
    const attempt = await findInScope(this.ctx.em, Attempt, attemptId, viaMailing(writeScope(actor(this.ctx))));
    const retry = await openAttempt(this.ctx.em, attempt.mailing.id, messageIdDomain(this.ctx.app.config.MAIL_FROM), {
      retryFailedOf: attempt.id,
    });
    await this.ctx.app.scheduler.queueAttempt(retry.id);
    return retry;
  }

  async attemptProgress(attemptId: string): Promise<AttemptProgress> {
    const attempt = await findInScope(this.ctx.em, Attempt, attemptId, viaMailing(readScope(actor(this.ctx))));
    return progressOfAttempt(this.ctx.em, attempt);
  }

  /** The latest attempt's progress; null while the mailing has never been sent. */
  async mailingProgress(mailingId: string): Promise<AttemptProgress | null> {
    await findInScope(this.ctx.em, Mailing, mailingId, readScope(actor(this.ctx)));
    const latest = await this.ctx.em.findOne(Attempt, { mailing: mailingId }, { orderBy: { attemptedAt: 'desc', id: 'desc' } });
    return latest ? progressOfAttempt(this.ctx.em, latest) : null;
  }
}
