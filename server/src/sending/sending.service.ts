import type { Context } from '../context';
import { findInScope } from '../common/find';
import { actor } from '../context';
import { readScope, viaMailing, writeScope } from '../common/scope';
import { Mailing } from '../mailings/mailing.entity';
import { Attempt, AttemptStatus } from './attempt.entity';
import { countsFrom } from './delivery-store';
import type { DeliveryStatus } from './delivery.entity';
import { messageIdDomain, openRun } from './run';
import type { RunProgress } from './run-progress.type';

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
    return this.progressOf(attempt);
  }

  /** The latest run's progress; null while the mailing has never run. */
  async mailingProgress(mailingId: string): Promise<RunProgress | null> {
    await findInScope(this.ctx.em, Mailing, mailingId, readScope(actor(this.ctx)));
    const latest = await this.ctx.em.findOne(Attempt, { mailing: mailingId }, { orderBy: { attemptedAt: 'desc', id: 'desc' } });
    return latest ? this.progressOf(latest) : null;
  }

  /** A closed run's counts are on the Attempt; a running one's are counted live. */
  private async progressOf(attempt: Attempt): Promise<RunProgress> {
    const base = {
      attemptId: attempt.id,
      mailingId: attempt.mailing.id,
      status: attempt.status,
      attemptedAt: attempt.attemptedAt,
      finishedAt: attempt.finishedAt,
    };
    if (attempt.status !== AttemptStatus.RUNNING) {
      return {
        ...base,
        total: attempt.total,
        pending: 0,
        sending: 0,
        sent: attempt.sentCount,
        failed: attempt.failedCount,
        uncertain: attempt.uncertainCount,
      };
    }
    const rows = await this.ctx.em.execute<Array<{ status: DeliveryStatus; count: number }>>(
      'select status, count(*)::int as count from deliveries where attempt_id = ? group by status',
      [attempt.id],
    );
    return { ...base, ...countsFrom(rows) };
  }
}
