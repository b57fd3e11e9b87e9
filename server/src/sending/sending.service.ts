import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import type { Config } from '../config';
import { findInScope } from '../common/find';
import { readScope, viaMailing, writeScope } from '../common/scope';
import { Mailing } from '../mailings/mailing.entity';
import type { AttemptStop } from './attempt-driver';
import { Attempt } from './attempt.entity';
import { progressOfAttempt } from './attempt-progress';
import type { AttemptProgress } from './attempt-progress.type';
import { messageIdDomain, openAttempt } from './open-attempt';
import type { MailingScheduler } from './scheduler.types';

export interface SendingDeps {
  config: Pick<Config, 'MAIL_FROM' | 'JOB_LOCK_LIFETIME_MS' | 'PREPARE_CHUNK_SIZE'>;
  scheduler: MailingScheduler;
}

/** How an attempt sent in this process ended: why the sending stopped, the attempt as it is now, its counts. */
export interface SentHere {
  stop: AttemptStop;
  attempt: Attempt;
  progress: AttemptProgress;
}

export class SendingService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: SendingDeps,
  ) {}

  /** Opens an attempt of the actor's mailing now and hands it to the workers. */
  async sendNow(actor: Actor, mailingId: string): Promise<Attempt> {
    const attempt = await this.open(actor, mailingId);
    // Queues the attempt, and drops a planned start that has nothing left to do.
    await this.deps.scheduler.mailingSaved(mailingId);
    return attempt;
  }

  /**
   * Opens an attempt of the actor's mailing for this process to send (sendHere). The workers
   * get it only once its claims could have lapsed, so nothing is lost should this process die.
   */
  async openHere(actor: Actor, mailingId: string): Promise<Attempt> {
    const attempt = await this.open(actor, mailingId);
    await this.deps.scheduler.queueAttempt(attempt.id, new Date(Date.now() + this.deps.config.JOB_LOCK_LIFETIME_MS));
    return attempt;
  }

  /** Sends an attempt opened by openHere to its end in this process; `signal` stops it early and the workers go on. */
  async sendHere(actor: Actor, attemptId: string, signal: AbortSignal): Promise<SentHere> {
    const opened = await findInScope(this.em, Attempt, attemptId, viaMailing(writeScope(actor)));
    const stop = await this.deps.scheduler.sendInProcess(opened.id, signal);
    // Drops a planned start that has nothing left to do, or hands an unfinished attempt to the workers.
    await this.deps.scheduler.mailingSaved(opened.mailing.id);
    const attempt = await this.em.refreshOrFail(opened);
    return { stop, attempt, progress: await progressOfAttempt(this.em, attempt) };
  }

  /** Opens a new attempt of the mailing for the deliveries that failed in this one. */
  async retryFailed(actor: Actor, attemptId: string): Promise<Attempt> {
    const attempt = await findInScope(this.em, Attempt, attemptId, viaMailing(writeScope(actor)));
    const retry = await openAttempt(this.em, attempt.mailing.id, this.domain(), { retryFailedOf: attempt.id, chunkSize: this.deps.config.PREPARE_CHUNK_SIZE });
    await this.deps.scheduler.queueAttempt(retry.id);
    return retry;
  }

  async attemptProgress(actor: Actor, attemptId: string): Promise<AttemptProgress> {
    const attempt = await findInScope(this.em, Attempt, attemptId, viaMailing(readScope(actor)));
    return progressOfAttempt(this.em, attempt);
  }

  /** The latest attempt's progress; null while the mailing has never been sent. */
  async mailingProgress(actor: Actor, mailingId: string): Promise<AttemptProgress | null> {
    await findInScope(this.em, Mailing, mailingId, readScope(actor));
    const latest = await this.em.findOne(Attempt, { mailing: mailingId }, { orderBy: { attemptedAt: 'desc', id: 'desc' } });
    return latest ? progressOfAttempt(this.em, latest) : null;
  }

  private async open(actor: Actor, mailingId: string): Promise<Attempt> {
    await findInScope(this.em, Mailing, mailingId, writeScope(actor));
    return openAttempt(this.em, mailingId, this.domain(), { chunkSize: this.deps.config.PREPARE_CHUNK_SIZE });
  }

  private domain(): string {
    return messageIdDomain(this.deps.config.MAIL_FROM);
  }
}
