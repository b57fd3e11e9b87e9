import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { AttemptStatus } from './attempt.entity';
import type { ClaimedDelivery, DeliveryResult, DeliveryStore } from './delivery-store';
import { DeliveryStatus } from './delivery.entity';
import { personalize, personalizeHeader } from './personalize';
import { retryDelayMs, type SendOutcome, type SmtpBreaker } from './policy';
import type { SendRateLimiter } from './rate-limit';
import { ResultWriter } from './result-writer';
import { closeRun, finishMailing } from './run';
import type { MailingTransport, OutgoingMessage } from './transport';
import { wait } from './wait';

/** The long-lived parts a run sends with (one set per process). */
export interface SendingParts {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  store: DeliveryStore;
  transport: MailingTransport;
  breaker: SmtpBreaker;
  limiter: SendRateLimiter;
}

/** Why a drive ended. */
export type RunStop =
  | { kind: 'closed' }
  | { kind: 'disabled' }
  /** Nothing is due before `until` (retries backing off, a paused server). */
  | { kind: 'waiting'; until: Date }
  /** Shutdown: what was in flight is recorded, the rest is back to PENDING. */
  | { kind: 'interrupted' }
  /** Another worker holds the run now. */
  | { kind: 'lockLost' };

export interface DriveOptions {
  signal: AbortSignal;
  /** Called while the run works (Agenda's job.touch()); throwing means the lock was lost. */
  keepAlive?: () => Promise<void>;
  /** A longer wait ends the drive with `waiting`, freeing the worker. */
  maxIdleWaitMs: number;
}

type RunState =
  | { kind: 'sendable'; endAt: number }
  | { kind: 'closed' }
  | { kind: 'disabled' }
  | { kind: 'ended'; mailingId: string };

const MIN_IDLE_MS = 20;

/** Sends an open run's due deliveries until it closes, waits too long, or is stopped. Safe to run in several workers at once. */
export function driveRun(parts: SendingParts, attemptId: string, options: DriveOptions): Promise<RunStop> {
  return new RunDriver(parts, attemptId, options).drive();
}

class RunDriver {
  /** Deliveries this driver holds in SENDING; their leases are renewed until their result is written. */
  private readonly claimed = new Set<string>();
  private readonly lockLost = new AbortController();
  private readonly signal: AbortSignal;
  private readonly leaseMs: number;
  private content?: { subject: string; body: string };

  constructor(
    private readonly parts: SendingParts,
    private readonly attemptId: string,
    private readonly options: DriveOptions,
  ) {
    this.signal = AbortSignal.any([options.signal, this.lockLost.signal]);
    this.leaseMs = parts.config.JOB_LOCK_LIFETIME_MS;
  }

  async drive(): Promise<RunStop> {
    const heartbeat = this.startHeartbeat();
    try {
      const stop = await this.loop();
      return this.lockLost.signal.aborted ? { kind: 'lockLost' } : stop;
    } finally {
      heartbeat.stop();
    }
  }

  private async loop(): Promise<RunStop> {
    for (;;) {
      if (this.signal.aborted) return { kind: 'interrupted' };
      const state = await this.state();
      if (state.kind === 'closed' || state.kind === 'disabled') return { kind: state.kind };
      if (state.kind === 'ended') {
        await finishMailing(this.parts.orm.em, state.mailingId);
        return { kind: 'closed' };
      }
      const pausedUntil = this.parts.breaker.pausedUntil();
      if (pausedUntil !== null) {
        const stop = await this.idleUntil(pausedUntil);
        if (stop) return stop;
        continue;
      }
      if ((await this.pump(state.endAt)) > 0) continue;
      const { open, nextTryAt } = await this.parts.store.openSummary(this.attemptId);
      if (open === 0 || !nextTryAt) {
        await closeRun(this.parts.orm.em, this.attemptId);
        return { kind: 'closed' };
      }
      const stop = await this.idleUntil(nextTryAt.getTime());
      if (stop) return stop;
    }
  }

  private async idleUntil(until: number): Promise<RunStop | null> {
    const ms = until - Date.now();
    if (ms > this.options.maxIdleWaitMs) return { kind: 'waiting', until: new Date(until) };
    await wait(Math.max(ms, MIN_IDLE_MS), this.signal);
    return null;
  }

  /**
   * Sends claimed batches through SMTP_POOL_SIZE x 2 concurrent sends until nothing is due,
   * the breaker opens, the mailing stops being sendable, or the drive is stopped.
   * Returns how many deliveries it claimed.
   */
  private async pump(endAt: number): Promise<number> {
    const { config, store, breaker } = this.parts;
    const concurrency = config.SMTP_POOL_SIZE * 2;
    // The next batch is claimed while the last messages of this one go out, so no send waits for a claim.
    const lowWater = Math.max(concurrency * 2, Math.floor(config.SEND_BATCH_SIZE / 4));
    const queue: ClaimedDelivery[] = [];
    const writer = new ResultWriter(store, (ids) => ids.forEach((id) => this.claimed.delete(id)));
    let claimedCount = 0;
    let exhausted = false;
    let halted = false;
    let failure: unknown = null;
    let refilling: Promise<void> | null = null;

    const refill = async () => {
      if (claimedCount > 0 && (await this.state()).kind !== 'sendable') {
        halted = true;
        return;
      }
      const rows = await store.claim(this.attemptId, config.SEND_BATCH_SIZE, this.leaseMs);
      for (const row of rows) this.claimed.add(row.id);
      queue.push(...rows);
      claimedCount += rows.length;
      exhausted = rows.length === 0;
    };
    const startRefill = () =>
      (refilling ??= refill()
        .catch((error: unknown) => {
          failure = error;
          halted = true;
        })
        .finally(() => {
          refilling = null;
        }));
    const stopped = () => halted || this.signal.aborted || breaker.pausedUntil() !== null || Date.now() >= endAt;
    const next = async (): Promise<ClaimedDelivery | undefined> => {
      for (;;) {
        if (stopped()) return undefined;
        const delivery = queue.shift();
        if (delivery) {
          if (queue.length < lowWater && !exhausted) void startRefill();
          return delivery;
        }
        if (exhausted) return undefined;
        await startRefill();
      }
    };
    const work = async () => {
      for (let delivery = await next(); delivery; delivery = await next()) {
        writer.add(resultFor(delivery, await this.send(delivery), config));
      }
    };

    const workers = await Promise.allSettled(Array.from({ length: concurrency }, work));
    await refilling;
    writer.add(...queue.splice(0).map(putBack));
    await writer.flush();
    const failed = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failure ?? failed) throw failure ?? failed!.reason;
    return claimedCount;
  }

  private async send(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const { limiter, breaker, transport } = this.parts;
    if (!(await limiter.acquire(this.signal))) return { kind: 'skipped' };
    const message = await this.compose(delivery);
    return breaker.run(() => transport.send(message));
  }

  private async compose(delivery: ClaimedDelivery): Promise<OutgoingMessage> {
    if (!this.content) {
      const [row] = await this.parts.orm.em.execute<Array<{ subject: string; body: string }>>(
        'select subject, body from attempts where id = ?',
        [this.attemptId],
      );
      this.content = row ?? { subject: '', body: '' };
    }
    return {
      from: this.parts.config.MAIL_FROM,
      to: { name: delivery.fullName, address: delivery.email },
      subject: personalizeHeader(this.content.subject, delivery),
      text: personalize(this.content.body, delivery),
      messageId: delivery.messageId,
    };
  }

  private async state(): Promise<RunState> {
    const [row] = await this.parts.orm.em.execute<Array<{ status: AttemptStatus; mailingId: string; disabled: boolean; endAt: string }>>(
      `select a.status, a.mailing_id as "mailingId", m.disabled, m.end_at as "endAt"
       from attempts a join mailings m on m.id = a.mailing_id where a.id = ?`,
      [this.attemptId],
    );
    if (!row || row.status !== AttemptStatus.RUNNING) return { kind: 'closed' };
    if (row.disabled) return { kind: 'disabled' };
    const endAt = new Date(row.endAt).getTime();
    if (Date.now() >= endAt) return { kind: 'ended', mailingId: row.mailingId };
    return { kind: 'sendable', endAt };
  }

  /** Renews the leases of claimed deliveries and the job's lock every third of their lifetime. */
  private startHeartbeat(): { stop(): void } {
    const interval = Math.max(this.leaseMs / 3, 50);
    let stopped = false;
    let timer: NodeJS.Timeout;
    const beat = async () => {
      try {
        await this.parts.store.extendLease([...this.claimed], this.leaseMs);
        await this.options.keepAlive?.();
      } catch (error) {
        this.parts.logger.warn({ err: error, attemptId: this.attemptId }, 'a run could not renew its lock; stopping it');
        this.lockLost.abort();
        return;
      }
      if (!stopped) timer = setTimeout(() => void beat(), interval);
    };
    timer = setTimeout(() => void beat(), interval);
    return {
      stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }
}

/** What a send outcome writes to its delivery. */
export function resultFor(
  delivery: ClaimedDelivery,
  outcome: SendOutcome,
  config: Pick<Config, 'SEND_MAX_RETRIES' | 'SEND_RETRY_BASE_MS' | 'SEND_RETRY_MAX_MS'>,
): DeliveryResult {
  if (outcome.kind === 'skipped') return putBack(delivery);
  const now = new Date();
  const tries = delivery.tries + 1;
  const result = { id: delivery.id, response: outcome.response, tries, nextTryAt: now, sentAt: null };
  switch (outcome.kind) {
    case 'sent':
      return { ...result, status: DeliveryStatus.SENT, sentAt: now };
    case 'rejected':
      return { ...result, status: DeliveryStatus.FAILED };
    case 'uncertain':
      return { ...result, status: DeliveryStatus.UNCERTAIN };
    case 'deferred':
      return tries > config.SEND_MAX_RETRIES
        ? { ...result, status: DeliveryStatus.FAILED, response: `Gave up after ${tries} tries: ${outcome.response}` }
        : { ...result, status: DeliveryStatus.PENDING, nextTryAt: new Date(now.getTime() + retryDelayMs(tries, config)) };
  }
}

/** Back to PENDING untried: no try is counted. */
function putBack(delivery: ClaimedDelivery): DeliveryResult {
  return { id: delivery.id, status: DeliveryStatus.PENDING, response: null, tries: delivery.tries, nextTryAt: new Date(), sentAt: null };
}
