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

const RECORD_RESULTS = `update deliveries d
  set status = v.status, response = coalesce(v.response, d.response), tries = v.tries,
      next_try_at = v.next_try_at, sent_at = v.sent_at, updated_at = now()
  from unnest(?::uuid[], ?::delivery_status[], ?::text[], ?::int[], ?::timestamptz[], ?::timestamptz[])
    as v(id, status, response, tries, next_try_at, sent_at)
  where d.id = v.id and d.status = 'SENDING'`;

const WRITE_BATCH = 1000;
const WRITE_TRIES = 5;
const WRITE_RETRY_MS = 500;
/** Under load, results gather this long between writes (a statement per message costs more than its send). */
const MIN_WRITE_INTERVAL_MS = 5;

/**
 * Records the results of every attempt the process drives as soon as they come, many per
 * statement: a result is written at once when the writer is idle, else with the others (of
 * any attempt) that came within a few milliseconds, or sooner with the next hand-over mark.
 * A result not yet written is what a crash can make go out twice, so the window stays about
 * as small as the sends in flight.
 */
export class ResultWriter {
  private pending: Array<{ result: DeliveryResult; written: () => void; failed: (error: unknown) => void }> = [];
  private writing = false;
  private lastWriteAt = 0;

  constructor(private readonly em: EntityManager) {}

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
   * Marks claimed deliveries handed over (claim.ts, markHandedOver) at once, in one statement
   * with the results waiting then: one statement fewer, and those results are written sooner.
   * Rejects when the statement fails; the results then wait for their own write.
   */
  async markHandedOver(ids: string[]): Promise<void> {
    const riders = this.pending.splice(0, WRITE_BATCH);
    if (riders.length > 0) this.lastWriteAt = Date.now();
    try {
      await recordResults(
        this.em,
        riders.map((entry) => entry.result),
        ids,
      );
    } catch (error) {
      this.pending.unshift(...riders);
      if (!this.writing && this.pending.length > 0) void this.drain();
      throw error;
    }
    for (const entry of riders) entry.written();
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.pending.length > 0) {
        await wait(this.lastWriteAt + MIN_WRITE_INTERVAL_MS - Date.now());
        // A hand-over mark may have taken them all along meanwhile.
        const batch = this.pending.splice(0, WRITE_BATCH);
        if (batch.length === 0) break;
        this.lastWriteAt = Date.now();
        try {
          await this.writeWithRetries(batch.map((entry) => entry.result));
          for (const entry of batch) entry.written();
        } catch (error) {
          for (const entry of batch) entry.failed(error);
        }
      }
    } finally {
      // In the same turn as the last look at `pending`: a result added after it starts a new drain.
      this.writing = false;
    }
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
