import type { EntityManager } from '@mikro-orm/postgresql';
import { retryDelayMs, type RetryPolicy } from './backoff';
import { MARK_HANDED_OVER, type ClaimedDelivery } from './claim';
import { DeliveryStatus } from './delivery.entity';
import { runSql } from './raw-sql';
import type { SendOutcome } from './smtp-errors';
import { wait } from './wait';

/** How a claimed delivery leaves SENDING. */
export interface DeliveryResult {
  id: string;
  status: DeliveryStatus;
  /** Null keeps the previous answer (a delivery put back untried). */
  response: string | null;
  tries: number;
  nextTryAt: Date;
  sentAt: Date | null;
}

/** What a send outcome writes to its delivery: sent, failed, uncertain, or due again after a backoff. */
export function resultFor(
  delivery: ClaimedDelivery,
  outcome: SendOutcome,
  policy: RetryPolicy,
  now = new Date(),
  random: () => number = Math.random,
): DeliveryResult {
  if (outcome.kind === 'skipped') return putBack(delivery, now);
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
      return tries > policy.SEND_MAX_RETRIES
        ? { ...result, status: DeliveryStatus.FAILED, response: `Gave up after ${tries} tries: ${outcome.response}` }
        : { ...result, status: DeliveryStatus.PENDING, nextTryAt: new Date(now.getTime() + retryDelayMs(tries, policy, random)) };
  }
}

/** Back to PENDING untried and due at once: no try is counted, the last answer stays. */
export function putBack(delivery: ClaimedDelivery, now = new Date()): DeliveryResult {
  return { id: delivery.id, status: DeliveryStatus.PENDING, response: null, tries: delivery.tries, nextTryAt: now, sentAt: null };
}

/**
 * Writes what became of claimed deliveries, in one statement; a delivery no longer SENDING is left alone.
 * With `markIds`, the same statement marks those deliveries handed over (claim.ts, markHandedOver).
 * One array per column: unnest of constant arrays tells the planner how many rows there are, so it
 * looks each one up by its id (with a JSON document it guessed 100 and scanned every SENDING delivery).
 */
async function recordResults(em: EntityManager, results: DeliveryResult[], markIds: string[] = []): Promise<void> {
  if (results.length === 0) {
    if (markIds.length > 0) await runSql(em, MARK_HANDED_OVER, [markIds]);
    return;
  }
  const columns = [
    results.map((r) => r.id),
    results.map((r) => r.status),
    results.map((r) => r.response),
    results.map((r) => r.tries),
    results.map((r) => r.nextTryAt.toISOString()),
    results.map((r) => r.sentAt?.toISOString() ?? null),
  ];
  // A delivery is marked before it goes out and has a result after: the two never touch one row.
  if (markIds.length > 0) await runSql(em, `with marked as (${MARK_HANDED_OVER}) ${RECORD_RESULTS}`, [markIds, ...columns]);
  else await runSql(em, RECORD_RESULTS, columns);
}

/** recordResults' statement: one array per column of the results (bench/statement-cost.ts measures it). */
export const RECORD_RESULTS = `update deliveries d
  set status = v.status, response = coalesce(v.response, d.response), tries = v.tries,
      next_try_at = v.next_try_at, sent_at = v.sent_at, updated_at = now()
  from unnest(?::uuid[], ?::delivery_status[], ?::text[], ?::int[], ?::timestamptz[], ?::timestamptz[])
    as v(id, status, response, tries, next_try_at, sent_at)
  where d.id = v.id and d.status = 'SENDING'`;

const WRITE_BATCH = 1000;
const WRITE_TRIES = 5;
const WRITE_RETRY_MS = 500;
/** Under load, results and marks gather this long between writes (a statement per message costs more than its send). */
const MIN_WRITE_INTERVAL_MS = 5;
const HURRIED = 'hurried';

/**
 * Records the results of every attempt the process drives as soon as they come, and marks
 * claimed deliveries handed over (claim.ts, markHandedOver), sharing statements: a result or a
 * mark is written at once when the writer has been idle a few milliseconds, else with all the
 * others (of any attempt) that came meanwhile, in one statement at most every
 * MIN_WRITE_INTERVAL_MS. A result not yet written is what a crash can make go out twice, so
 * the window stays about as small as the sends in flight; a mark is asked for while the
 * senders still have marked deliveries to send (ClaimQueue), so it may wait for the next write.
 */
export class ResultWriter {
  private pending: Array<{ result: DeliveryResult; written: () => void; failed: (error: unknown) => void }> = [];
  private marks: Array<{ ids: string[]; done: () => void; failed: (error: unknown) => void }> = [];
  private writing = false;
  private lastWriteAt = 0;
  /** Aborted when the senders need a mark still waiting: the next write does not wait for its interval. */
  private hurried = new AbortController();

  constructor(
    private readonly em: EntityManager,
    private readonly intervalMs = MIN_WRITE_INTERVAL_MS,
  ) {}

  /** Resolves once these results are written; rejects when the database kept refusing them. */
  write(results: DeliveryResult[]): Promise<void> {
    if (results.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let left = results.length;
      const written = () => {
        if (--left === 0) resolve();
      };
      for (const result of results) this.pending.push({ result, written, failed: reject });
      if (!this.writing) void this.drain();
    });
  }

  /**
   * Marks claimed deliveries handed over in the next statement, with the results waiting then.
   * Rejects when that statement fails (the results are then written again by themselves).
   */
  markHandedOver(ids: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.marks.push({ ids, done: resolve, failed: reject });
      if (!this.writing) void this.drain();
    });
  }

  /**
   * The senders are running out of marked deliveries: a mark not yet in a statement goes now
   * rather than at the interval. Once it is in one, the next statement keeps its interval.
   */
  hurry(): void {
    // A reason of its own: without one, abort() builds a DOMException (a stack trace) each time.
    if (this.marks.length > 0) this.hurried.abort(HURRIED);
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0 || this.marks.length > 0) {
        await wait(this.lastWriteAt + this.intervalMs - Date.now(), this.hurried.signal);
        if (this.hurried.signal.aborted) this.hurried = new AbortController();
        const marks = this.marks.splice(0);
        const batch = this.pending.splice(0, WRITE_BATCH);
        this.lastWriteAt = Date.now();
        if (marks.length > 0 && (await this.writeWithMarks(batch, marks))) continue;
        if (batch.length === 0) continue;
        try {
          await this.writeWithRetries(batch.map((entry) => entry.result));
          for (const entry of batch) entry.written();
        } catch (error) {
          for (const entry of batch) entry.failed(error);
        }
      }
    } finally {
      // In the same turn as the last look at `pending` and `marks`: one added after it starts a new drain.
      this.writing = false;
    }
  }

  /** One statement for the marks and the results; false when it failed (the marks then fail, the results are not written yet). */
  private async writeWithMarks(batch: typeof this.pending, marks: typeof this.marks): Promise<boolean> {
    try {
      await recordResults(
        this.em,
        batch.map((entry) => entry.result),
        marks.flatMap((mark) => mark.ids),
      );
    } catch (error) {
      for (const mark of marks) mark.failed(error);
      return false;
    }
    for (const entry of batch) entry.written();
    for (const mark of marks) mark.done();
    return true;
  }

  private async writeWithRetries(batch: DeliveryResult[]): Promise<void> {
    for (let tries = 1; ; tries++) {
      try {
        await recordResults(this.em, batch);
        return;
      } catch (error) {
        if (tries >= WRITE_TRIES) throw error;
        await wait(WRITE_RETRY_MS * tries);
      }
    }
  }
}
