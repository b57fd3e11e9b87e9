import type { EntityManager } from '@mikro-orm/postgresql';
import { DeliveryStatus } from './delivery.entity';
import { pgArray } from '../common/pg-array';
import { runSql } from './raw-sql';

/*
 * Claim: a worker takes due deliveries of an open attempt for itself by setting them
 * SENDING. A SENDING row's next_try_at is its claim's lease: once it lapses, the worker
 * that claimed it is presumed dead and the delivery is due again. Set-based SQL (an
 * attempt can have a million rows; none is ever loaded but the batch being sent).
 */

/** A delivery a worker claimed (status SENDING) and is about to send. */
export interface ClaimedDelivery {
  id: string;
  email: string;
  fullName: string;
  messageId: string;
  tries: number;
  recipientId: string;
  /** The mailing's owner, whom the recipient may unsubscribe from. */
  ownerId: string;
  /** Marked handed over by the claim itself (see claimDeliveries' `markFirst`). */
  handedOver?: boolean;
}

export const SKIPPED_UNSUBSCRIBED = 'Not sent: the recipient unsubscribed.';
export const SKIPPED_DELETED = 'Not sent: the recipient was deleted.';

/**
 * Why delivery `d` may no longer go out: its recipient was deleted (the foreign key set
 * `recipient_id` null) or unsubscribed; null while it may. Its parameters are SKIP_REASON_PARAMS.
 * The recipient is looked up by id for each delivery (a subquery, never made a join): as a
 * join the planner at times hashed every recipient of the database for a batch of 200.
 */
const SKIP_REASON = `case when d.recipient_id is null then ?
  when (select r.unsubscribed_at from recipients r where r.id = d.recipient_id) is not null then ? end`;
const SKIP_REASON_PARAMS = [SKIPPED_DELETED, SKIPPED_UNSUBSCRIBED];

/**
 * Delivery `d` was left SENDING by a worker that stopped (its lease lapsed: it is picked again)
 * after it was marked handed over: it may have gone out, and that try is counted now.
 */
const LOST_IN_FLIGHT = `d.status = 'SENDING' and d.handed_over_at is not null`;

/**
 * Claims up to `limit` due deliveries (or ones a dead worker left) for `leaseMs`; none while
 * the mailing is paused, disabled or its owner blocked. The owner's row is share-locked for the
 * claim, so once a block is committed nothing more is claimed.
 *
 * A picked delivery whose recipient unsubscribed or was deleted since the attempt opened
 * becomes SKIPPED with the reason instead, in the same statement; when a whole batch was
 * skipped the next one is claimed, so an empty answer means nothing is due.
 *
 * The first `markFirst` claimed are marked handed over at once (as markHandedOver would just
 * before they go): they are handed out next, and a pass's first messages need no statement more.
 */
export async function claimDeliveries(em: EntityManager, attemptId: string, limit: number, leaseMs: number, markFirst = 0): Promise<ClaimedBatch> {
  for (;;) {
    const rows = await runSql<ClaimedDelivery & { status: DeliveryStatus }>(
      em,
      `with sendable as (
         select m.owner_id from attempts a
         join mailings m on m.id = a.mailing_id
         join users u on u.id = m.owner_id
         where a.id = ? and not m.paused and not m.disabled and not u.blocked
         for share of u),
       picked as (
         select d.id, ${SKIP_REASON} as skip_reason
         from deliveries d
         where d.attempt_id = ? and d.status in ('PENDING', 'SENDING') and d.next_try_at <= now() and exists (select 1 from sendable)
         limit ?
         for update of d skip locked),
       numbered as (
         select picked.*, row_number() over () as n from picked),
       claimed as (
         update deliveries d
         set status = (case when picked.skip_reason is null then 'SENDING' else 'SKIPPED' end)::delivery_status,
             response = coalesce(picked.skip_reason, d.response),
             next_try_at = case when picked.skip_reason is null then now() + ? * interval '1 millisecond' else d.next_try_at end,
             tries = d.tries + (${LOST_IN_FLIGHT})::int,
             may_have_arrived_twice = d.may_have_arrived_twice or (picked.skip_reason is null and ${LOST_IN_FLIGHT}),
             handed_over_at = case when picked.skip_reason is not null then d.handed_over_at when picked.n <= ? then now() end,
             updated_at = now()
         from numbered picked where d.id = picked.id
         returning d.id, d.email, d.full_name as "fullName", d.message_id as "messageId", d.tries, d.recipient_id as "recipientId", d.status,
                   d.handed_over_at is not null as "handedOver")
       select claimed.*, (select owner_id from sendable) as "ownerId" from claimed`,
      [attemptId, ...SKIP_REASON_PARAMS, attemptId, limit, leaseMs, markFirst],
    );
    const deliveries = rows.filter((row) => row.status === DeliveryStatus.SENDING).map(({ status: _, ...delivery }) => delivery);
    // Fewer than asked for: nothing else was due (or free) just now.
    const more = rows.length === limit;
    if (deliveries.length > 0 || !more) return { deliveries, more };
  }
}

/** Of these deliveries, the ones whose recipient unsubscribed or was deleted since they were claimed. */
export async function recipientsGone(em: EntityManager, ids: string[]): Promise<string[]> {
  const rows = await em.execute<Array<{ id: string }>>(`select d.id from deliveries d where d.id = any(?::uuid[]) and ${SKIP_REASON} is not null`, [
    pgArray(ids),
    ...SKIP_REASON_PARAMS,
  ]);
  return rows.map((row) => row.id);
}

/**
 * Marks SKIPPED, with the reason, the deliveries matching `where` (a condition on `d` and its
 * parameters) whose recipient unsubscribed or was deleted: claimed ones taken back before they
 * went out, or waiting ones at the mailing's end.
 */
export async function skipGoneRecipients(em: EntityManager, where: string, params: unknown[]): Promise<void> {
  await em.execute(
    `update deliveries d set status = 'SKIPPED', response = gone.reason, handed_over_at = null, updated_at = now()
     from (select d.id, ${SKIP_REASON} as reason from deliveries d where ${where}) gone
     where d.id = gone.id and gone.reason is not null`,
    [...SKIP_REASON_PARAMS, ...params],
    'run',
  );
}

/**
 * Marks claimed deliveries as handed to the mail server, just before they go: a crash from
 * then on leaves them SENDING with `handed_over_at` set, so taking them up again counts that
 * try and flags them (see claimDeliveries). No indexed column changes: a HOT update.
 */
export async function markHandedOver(em: EntityManager, ids: string[]): Promise<void> {
  await runSql(em, MARK_HANDED_OVER, [ids]);
}

/** markHandedOver's statement; its one parameter is the ids. */
export const MARK_HANDED_OVER = `update deliveries set handed_over_at = now() where id = any(?::uuid[]) and status = 'SENDING'`;

/**
 * Keeps a live worker's claims from lapsing. A delivery another statement is writing just then
 * (its mark or its result) is passed over, not waited for: renewing all of an attempt's claims
 * at once, this statement would otherwise lock them in another order than those writes and
 * deadlock with them. Its lease is renewed at the next beat (or it has left SENDING).
 */
export async function extendLeases(em: EntityManager, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await runSql(
    em,
    `update deliveries d set next_try_at = now() + ? * interval '1 millisecond'
     from (select id from deliveries where id = any(?::uuid[]) and status = 'SENDING' for update skip locked) free
     where d.id = free.id`,
    [leaseMs, ids],
  );
}

/** How many of an attempt's deliveries are still open (PENDING or SENDING), and when the next one is due. */
export async function openDeliveries(em: EntityManager, attemptId: string): Promise<{ open: number; nextTryAt: Date | null }> {
  const [row] = await em.execute<Array<{ open: number; nextTryAt: string | null }>>(
    `select count(*)::int as open, min(next_try_at) as "nextTryAt" from deliveries
     where attempt_id = ? and status in ('PENDING', 'SENDING')`,
    [attemptId],
  );
  return { open: row.open, nextTryAt: row.nextTryAt === null ? null : new Date(row.nextTryAt) };
}

/** Deliveries a claim took, and whether more may be due (false: the claim found fewer than it asked for). */
export interface ClaimedBatch {
  deliveries: ClaimedDelivery[];
  more: boolean;
}

/** Claims the next batch; 'halt' when the attempt may not go on sending. */
export type ClaimBatch = (claimedSoFar: number) => Promise<ClaimedBatch | 'halt'>;

/** Marks deliveries as handed to the mail server before they are handed out (markHandedOver). */
export interface HandOverMark {
  mark(deliveries: ClaimedDelivery[]): Promise<void>;
  /** How many marked deliveries are kept ready for the senders, and how many one mark takes. */
  ahead: number;
  /** The senders are down to a few marked deliveries: the mark asked for should be written now, not with the next writes. */
  hurry?(): void;
}

/**
 * Hands claimed deliveries out to concurrent senders one at a time. It claims the next
 * batch while the last ones of this one go out, so no send waits for a claim; with a
 * HandOverMark it marks the next few as handed over while the ones before them go out, so
 * no send waits for the mark either, and none is handed out unmarked.
 */
export class ClaimQueue {
  /** Claimed, not yet marked. */
  private readonly queue: ClaimedDelivery[] = [];
  /** Being marked now. */
  private marked: ClaimedDelivery[] = [];
  /** Marked (or no mark needed): handed out next. */
  private readonly ready: ClaimedDelivery[] = [];
  private refilling: Promise<void> | null = null;
  private marking: Promise<void> | null = null;
  private exhausted = false;
  private halted = false;
  private failure: unknown = null;
  /** How many deliveries were claimed in all. */
  claimed = 0;

  /** The last claim came back saying nothing more was due. */
  get drained(): boolean {
    return this.exhausted;
  }

  constructor(
    private readonly claimBatch: ClaimBatch,
    /** Below this many waiting deliveries, the next batch is claimed. */
    private readonly lowWater: number,
    private readonly handOver?: HandOverMark,
  ) {}

  /** The next delivery to send; undefined once nothing is due, `stopped()` says so, or a claim or mark failed. */
  async next(stopped: () => boolean): Promise<ClaimedDelivery | undefined> {
    for (;;) {
      if (this.halted || stopped()) return undefined;
      const delivery = this.ready.shift();
      if (delivery) {
        this.lookAhead();
        return delivery;
      }
      if (this.queue.length > 0 || this.marking) {
        const marking = this.markNext();
        this.handOver?.hurry?.();
        await marking;
      } else if (this.exhausted) return undefined;
      else await this.refill();
    }
  }

  /** The deliveries claimed and not yet handed out. */
  waitingIds(): string[] {
    return this.waiting().map((delivery) => delivery.id);
  }

  /** Takes these deliveries out if they are still waiting; returns the ones it took. */
  withdraw(ids: ReadonlySet<string>): ClaimedDelivery[] {
    const taken = this.waiting().filter((delivery) => ids.has(delivery.id));
    if (taken.length === 0) return taken;
    const keep = (list: ClaimedDelivery[]) => list.splice(0, list.length, ...list.filter((delivery) => !ids.has(delivery.id)));
    keep(this.ready);
    keep(this.marked);
    keep(this.queue);
    return taken;
  }

  /** Once every sender has stopped: the deliveries claimed but never handed out, and a claim's or mark's failure. */
  async settle(): Promise<{ unsent: ClaimedDelivery[]; failure: unknown }> {
    await this.refilling;
    await this.marking;
    const unsent = this.waiting();
    this.ready.splice(0);
    this.queue.splice(0);
    return { unsent, failure: this.failure };
  }

  private waiting(): ClaimedDelivery[] {
    return [...this.ready, ...this.marked, ...this.queue];
  }

  /**
   * After a hand-out: claims the next batch below the low-water mark, marks the next few below
   * `ahead`, and hurries the mark under way once half of `ahead` or fewer are left marked.
   */
  private lookAhead(): void {
    // Counted, not copied: this runs for every message.
    const waiting = this.ready.length + this.marked.length + this.queue.length;
    if (waiting < this.lowWater && !this.exhausted) void this.refill();
    if (!this.handOver) return;
    if (this.ready.length < this.handOver.ahead && this.queue.length > 0) void this.markNext();
    // Hurried before the senders run dry: they go on with the few left while the mark is written.
    if (this.marking && this.ready.length <= this.handOver.ahead / 2) this.handOver.hurry?.();
  }

  private refill(): Promise<void> {
    this.refilling ??= this.claimNext()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.refilling = null;
      });
    return this.refilling;
  }

  private markNext(): Promise<void> {
    this.marking ??= this.markBatch()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.marking = null;
      });
    return this.marking;
  }

  private async markBatch(): Promise<void> {
    // withdraw() may take some out of `marked` while the mark is written.
    if (!this.handOver) return;
    this.marked = this.queue.splice(0, this.handOver.ahead);
    let done = false;
    try {
      await this.handOver.mark(this.marked);
      done = true;
    } finally {
      // Unmarked after a failure: back in line, to be put back untried.
      if (done) this.ready.push(...this.marked);
      else this.queue.unshift(...this.marked);
      this.marked = [];
    }
  }

  private fail(error: unknown): void {
    this.failure = error;
    this.halted = true;
  }

  private async claimNext(): Promise<void> {
    const batch = await this.claimBatch(this.claimed);
    if (batch === 'halt') {
      this.halted = true;
      return;
    }
    for (const delivery of batch.deliveries) (this.handOver && !delivery.handedOver ? this.queue : this.ready).push(delivery);
    this.claimed += batch.deliveries.length;
    this.exhausted = batch.deliveries.length === 0 || !batch.more;
  }
}
