import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { MailingStatus } from '../mailings/mailing.entity';
import { MessageFormat } from '../messages/message.entity';
import { AttemptStatus } from './attempt.entity';
import { readAttemptStates, type AttemptState } from './attempt-state';
import { ClaimQueue, claimDeliveries, extendLeases, openDeliveries, skipGoneRecipients, type ClaimedBatch, type ClaimedDelivery } from './claim';
import { closeAttempt, finishMailing } from './close-attempt';
import { messageIdDomain } from './open-attempt';
import type { AttemptContent } from './personalize';
import { prepareAttempt } from './prepare-attempt';
import { putBack, resultFor, type DeliveryResult, type ResultWriter } from './record';
import type { Sender } from './send';
import type { LocalDrives, WatchedPass } from './stop-sending';
import { wait } from './wait';

/** The long-lived parts an attempt is sent with (one set per process). */
export interface SendingParts {
  config: Config;
  logger: Logger;
  /** The ORM's root entity manager: raw SQL and short transactions of their own. */
  em: EntityManager;
  sender: Sender;
  /** Writes the results of all the process's sends. */
  results: ResultWriter;
  /** This process's drivers, told at once when a hold is committed here. */
  drives: LocalDrives;
}

/** Why a drive ended. */
export type AttemptStop =
  /** `finished`: its mailing is FINISHED (sent in full, or its end came): it needs no job any more. */
  | { kind: 'closed'; finished?: boolean }
  /** The mailing was paused or disabled, or its owner blocked (sendingHeld). */
  | { kind: 'held' }
  /** Nothing is due before `until` (retries backing off, a paused server). */
  | { kind: 'waiting'; until: Date }
  /** Shutdown: what was in flight is recorded, the rest is back to PENDING. */
  | { kind: 'interrupted' }
  /** Another worker holds the attempt now. */
  | { kind: 'lockLost' };

export interface DriveOptions {
  signal: AbortSignal;
  /** Called while the attempt works (Agenda's job.touch()); throwing means the lock was lost. */
  keepAlive?: () => Promise<void>;
  /** A longer wait ends the drive with `waiting`, freeing the worker. */
  maxIdleWaitMs: number;
  /** What the caller read of the attempt as it opened it (saves reading it again before the first message); endAt in ms since the epoch. */
  opened?: { status: AttemptStatus; content: AttemptContent; endAt: number };
}

const MIN_IDLE_MS = 20;

/** A closed attempt, with its mailing's status after the close (null: another driver closed it). */
const closedStop = (mailingStatus: MailingStatus | null): AttemptStop => ({ kind: 'closed', finished: mailingStatus === MailingStatus.FINISHED });

/**
 * Takes an open attempt through claim -> send -> record until it closes, waits too long,
 * or is stopped. Safe to run in several workers at once.
 */
export async function driveAttempt(parts: SendingParts, attemptId: string, options: DriveOptions): Promise<AttemptStop> {
  return new AttemptDriver(parts, attemptId, options).drive();
}

/** The rest of a PREPARING attempt being prepared beside its sending (prepareAttempt). */
interface Preparation {
  settled: Promise<void>;
  done: boolean;
  failure?: { error: unknown };
  stop: AbortController;
}

class AttemptDriver {
  /** Deliveries this driver holds in SENDING; their leases are renewed until their result is written. */
  private readonly claimed = new Set<string>();
  private readonly lockLost = new AbortController();
  private readonly signal: AbortSignal;
  private readonly leaseMs: number;
  /** Sends a pass keeps going at once: the process's in-flight limit, SMTP_POOL_SIZE x 2. */
  private readonly concurrency: number;
  private content?: AttemptContent;
  /**
   * The pass that is sending: its halt is aborted once the mailing stops being sendable (see
   * stop-sending.ts); its queue holds what was claimed and not yet handed out.
   */
  private pass: { halt: AbortController; queue: ClaimQueue } | null = null;
  private preparation: Preparation | null = null;

  constructor(
    private readonly parts: SendingParts,
    private readonly attemptId: string,
    private readonly options: DriveOptions,
  ) {
    this.signal = AbortSignal.any([options.signal, this.lockLost.signal]);
    this.leaseMs = parts.config.JOB_LOCK_LIFETIME_MS;
    this.concurrency = parts.config.SMTP_POOL_SIZE * 2;
    this.content = options.opened?.content;
  }

  async drive(): Promise<AttemptStop> {
    const heartbeat = this.startHeartbeat();
    const unregister = this.parts.drives.register(this.attemptId, { pass: () => this.watchedPass(), claimedIds: () => [...this.claimed] });
    // A PREPARING attempt sends the deliveries prepared so far while the rest are prepared beside it.
    if (this.options.opened?.status !== AttemptStatus.RUNNING) this.preparation = this.prepareBeside();
    try {
      const stop = await this.loop();
      return this.lockLost.signal.aborted ? { kind: 'lockLost' } : stop;
    } finally {
      unregister();
      heartbeat.stop();
      this.preparation?.stop.abort();
      await this.preparation?.settled;
    }
  }

  /**
   * Prepares the rest of the attempt (nothing when it is not PREPARING). Its stops need no answer
   * here: a hold, the end or a close is read from the attempt's state as sending goes on; the
   * heartbeat keeps the job's lock.
   */
  private prepareBeside(): Preparation {
    const { config, em } = this.parts;
    const stop = new AbortController();
    const signal = AbortSignal.any([this.signal, stop.signal]);
    const preparation: Preparation = {
      done: false,
      stop,
      settled: prepareAttempt({ config, em, domain: messageIdDomain(config.MAIL_FROM) }, this.attemptId, { signal })
        .then(
          () => undefined,
          (error: unknown) => void (preparation.failure = { error }),
        )
        .finally(() => {
          preparation.done = true;
        }),
    };
    return preparation;
  }

  private async loop(): Promise<AttemptStop> {
    const { em, sender } = this.parts;
    // Just opened: sendable (a hold committed since is seen by the claim, which then takes nothing).
    let known: AttemptState | null = this.options.opened?.status === AttemptStatus.RUNNING ? { kind: 'sendable', endAt: this.options.opened.endAt } : null;
    for (;;) {
      if (this.signal.aborted) return { kind: 'interrupted' };
      if (this.preparation?.failure) throw this.preparation.failure.error;
      const state = known ?? (await this.state());
      known = null;
      if (state.kind === 'closed' || state.kind === 'held') return { kind: state.kind };
      if (state.kind === 'ended') {
        await finishMailing(em, state.mailingId);
        return { kind: 'closed', finished: true };
      }
      const pausedUntil = sender.pausedUntil();
      if (pausedUntil !== null) {
        const stop = await this.idleUntil(pausedUntil);
        if (stop) return stop;
        continue;
      }
      const pass = await this.sendDue(state.endAt);
      if ((pass.claimed > 0 && !pass.drained) || this.signal.aborted) continue;
      // All that is prepared so far is sent: on with the next chunk once it is in.
      if (this.preparation && !this.preparation.done) {
        await Promise.race([this.preparation.settled, wait(MIN_IDLE_MS, this.signal)]);
        continue;
      }
      // All sent and nothing else due: most often the attempt is done.
      const closed = pass.drained ? await closeAttempt(em, this.attemptId) : null;
      if (closed) return closedStop(closed);
      const { open, nextTryAt } = await openDeliveries(em, this.attemptId);
      if (open === 0 || !nextTryAt) return closedStop(await closeAttempt(em, this.attemptId));
      const stop = await this.idleUntil(nextTryAt.getTime());
      if (stop) return stop;
    }
  }

  private async idleUntil(until: number): Promise<AttemptStop | null> {
    const ms = until - Date.now();
    if (ms > this.options.maxIdleWaitMs) return { kind: 'waiting', until: new Date(until) };
    await wait(Math.max(ms, MIN_IDLE_MS), this.signal);
    return null;
  }

  /**
   * Claims, sends and records through SMTP_POOL_SIZE x 2 concurrent sends until nothing is
   * due, the breaker opens, the mailing stops being sendable, or the drive is stopped.
   * Returns how many deliveries it claimed, and whether it sent all it claimed and its last
   * claim found nothing more due.
   */
  private async sendDue(endAt: number): Promise<{ claimed: number; drained: boolean }> {
    const { config, sender } = this.parts;
    const content = (this.content ??= await this.readContent());
    const concurrency = this.concurrency;
    const lowWater = Math.max(concurrency * 2, Math.floor(config.SEND_BATCH_SIZE / 4));
    const { results } = this.parts;
    const handOver = { mark: (deliveries: ClaimedDelivery[]) => results.markHandedOver(deliveries.map((d) => d.id)), ahead: concurrency, hurry: () => results.hurry() };
    const queue = new ClaimQueue((claimedSoFar) => this.claimBatch(claimedSoFar), lowWater, handOver);
    // Only the writes not yet done are kept: a pass can send a whole run of a million.
    const writes = new Set<Promise<void>>();
    let writeFailure: { error: unknown } | undefined;
    const record = (...results: DeliveryResult[]) => {
      const ids = results.map((result) => result.id);
      const write: Promise<void> = this.parts.results
        .write(results)
        .then(
          () => ids.forEach((id) => this.claimed.delete(id)),
          (error: unknown) => void (writeFailure ??= { error }),
        )
        .finally(() => writes.delete(write));
      writes.add(write);
    };
    const halt = new AbortController();
    this.pass = { halt, queue };
    const sendSignal = AbortSignal.any([this.signal, halt.signal]);
    const stopped = () => sendSignal.aborted || sender.pausedUntil() !== null || Date.now() >= endAt;
    const work = async () => {
      for (let delivery = await queue.next(stopped); delivery; delivery = await queue.next(stopped)) {
        record(resultFor(delivery, await sender.send(this.attemptId, delivery, content, sendSignal), config));
      }
    };

    const workers = await Promise.allSettled(Array.from({ length: concurrency }, work)).finally(() => {
      this.pass = null;
    });
    const { unsent, failure } = await queue.settle();
    record(...unsent.map((delivery) => putBack(delivery)));
    await Promise.all([...writes]);
    const failed = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failure ?? failed ?? writeFailure) throw failure ?? failed?.reason ?? writeFailure!.error;
    return { claimed: queue.claimed, drained: queue.drained && unsent.length === 0 };
  }

  /**
   * The pass sending now, for this process's hold checks (stop-sending.ts): they halt it once
   * the mailing was paused, disabled, deleted, its owner blocked or its end reached; else they
   * take back the claimed deliveries whose recipient unsubscribed or was deleted since (they
   * become SKIPPED and are not sent).
   */
  private watchedPass(): WatchedPass | null {
    const pass = this.pass;
    if (!pass) return null;
    return {
      waitingIds: () => pass.queue.waitingIds(),
      checked: async (state, gone) => {
        if (pass.halt.signal.aborted) return;
        if (state.kind !== 'sendable') return pass.halt.abort();
        const taken = pass.queue.withdraw(gone).map((delivery) => delivery.id);
        if (taken.length === 0) return;
        // No longer renewed: should the write fail, their leases lapse and the next claim skips them.
        taken.forEach((id) => this.claimed.delete(id));
        await skipGoneRecipients(this.parts.em, `d.id in (?) and d.status = 'SENDING'`, [taken]);
      },
    };
  }

  /** The next batch, unless the mailing stopped being sendable since this pass began. */
  private async claimBatch(claimedSoFar: number): Promise<ClaimedBatch | 'halt'> {
    if (claimedSoFar > 0 && (await this.state()).kind !== 'sendable') return 'halt';
    // A pass's first claim marks the first sends itself: they go out without waiting for a mark.
    const markFirst = claimedSoFar === 0 ? this.concurrency : 0;
    const batch = await claimDeliveries(this.parts.em, this.attemptId, this.parts.config.SEND_BATCH_SIZE, this.leaseMs, markFirst);
    for (const delivery of batch.deliveries) this.claimed.add(delivery.id);
    return batch;
  }

  private async readContent(): Promise<AttemptContent> {
    const [row] = await this.parts.em.execute<AttemptContent[]>(`select subject, body, format, from_name as "fromName", from_address as "fromAddress", reply_to as "replyTo" from attempts where id = ?`, [this.attemptId]);
    return row ?? { subject: '', body: '', format: MessageFormat.TEXT, fromName: '', fromAddress: null, replyTo: '' };
  }

  private async state(): Promise<AttemptState> {
    return (await readAttemptStates(this.parts.em, [this.attemptId])).get(this.attemptId)!;
  }

  /**
   * Renews the leases of claimed deliveries and the job's lock every third of their lifetime.
   * A renewal that fails (a busy or briefly unreachable database) is tried again at the next
   * beat while the last renewal still holds; the attempt stops only once it could have lapsed.
   */
  private startHeartbeat(): { stop(): void } {
    const interval = Math.max(this.leaseMs / 3, 50);
    let stopped = false;
    let timer: NodeJS.Timeout;
    let renewedAt = Date.now();
    const beat = async () => {
      try {
        await extendLeases(this.parts.em, [...this.claimed], this.leaseMs);
        await this.options.keepAlive?.();
        renewedAt = Date.now();
      } catch (error) {
        const lapses = Date.now() + interval - renewedAt >= this.leaseMs;
        this.parts.logger.warn(
          { err: error, attemptId: this.attemptId },
          lapses ? 'an attempt could not renew its lock; stopping it' : 'an attempt could not renew its lock; trying again',
        );
        if (lapses) {
          this.lockLost.abort();
          return;
        }
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
