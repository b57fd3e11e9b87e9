import type { EntityManager } from '@mikro-orm/postgresql';
import { DeliveryStatus } from './delivery.entity';

/** A delivery a worker claimed (status SENDING) and is about to send. */
export interface ClaimedDelivery {
  id: string;
  email: string;
  fullName: string;
  messageId: string;
  tries: number;
}

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

export interface DeliveryCounts {
  total: number;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  uncertain: number;
}

/**
 * The deliveries of running attempts, in set-based SQL (a run can have a million rows;
 * none is ever loaded but the batch being sent). A SENDING row's next_try_at is its
 * claim's lease: once it lapses, the worker that claimed it is presumed dead.
 */
export class DeliveryStore {
  constructor(private readonly em: EntityManager) {}

  /** Claims up to `limit` due deliveries (or ones a dead worker left) for `leaseMs`. */
  claim(attemptId: string, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return this.em.execute<ClaimedDelivery[]>(
      `with picked as (
         select id from deliveries
         where attempt_id = ? and status in ('PENDING', 'SENDING') and next_try_at <= now()
         limit ?
         for update skip locked)
       update deliveries d
       set status = 'SENDING', next_try_at = now() + ? * interval '1 millisecond', updated_at = now()
       from picked where d.id = picked.id
       returning d.id, d.email, d.full_name as "fullName", d.message_id as "messageId", d.tries`,
      [attemptId, limit, leaseMs],
    );
  }

  /** Writes what became of claimed deliveries, in one statement. */
  async record(results: DeliveryResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.em.execute(
      `update deliveries d
       set status = v.status, response = coalesce(v.response, d.response), tries = v.tries,
           next_try_at = v.next_try_at, sent_at = v.sent_at, updated_at = now()
       from jsonb_to_recordset(?::jsonb)
         as v(id uuid, status delivery_status, response text, tries int, next_try_at timestamptz, sent_at timestamptz)
       where d.id = v.id and d.status = 'SENDING'`,
      [JSON.stringify(results.map((r) => ({ ...r, next_try_at: r.nextTryAt, sent_at: r.sentAt })))],
      'run',
    );
  }

  /** Keeps a live worker's claims from lapsing. */
  async extendLease(ids: string[], leaseMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.em.execute(
      `update deliveries set next_try_at = now() + ? * interval '1 millisecond' where id in (?) and status = 'SENDING'`,
      [leaseMs, ids],
      'run',
    );
  }

  /** How many deliveries are still open, and when the next one is due. */
  async openSummary(attemptId: string): Promise<{ open: number; nextTryAt: Date | null }> {
    const [row] = await this.em.execute<Array<{ open: number; nextTryAt: string | null }>>(
      `select count(*)::int as open, min(next_try_at) as "nextTryAt" from deliveries
       where attempt_id = ? and status in ('PENDING', 'SENDING')`,
      [attemptId],
    );
    return { open: row.open, nextTryAt: row.nextTryAt === null ? null : new Date(row.nextTryAt) };
  }
}

export function countsFrom(rows: Array<{ status: DeliveryStatus; count: number }>): DeliveryCounts {
  const counts: DeliveryCounts = { total: 0, pending: 0, sending: 0, sent: 0, failed: 0, uncertain: 0 };
  const keys: Record<DeliveryStatus, Exclude<keyof DeliveryCounts, 'total'>> = {
    [DeliveryStatus.PENDING]: 'pending',
    [DeliveryStatus.SENDING]: 'sending',
    [DeliveryStatus.SENT]: 'sent',
    [DeliveryStatus.FAILED]: 'failed',
    [DeliveryStatus.UNCERTAIN]: 'uncertain',
  };
  for (const row of rows) {
    counts[keys[row.status]] += Number(row.count);
    counts.total += Number(row.count);
  }
  return counts;
}
