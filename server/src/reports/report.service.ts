import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import type { AppCache } from '../cache/app-cache';
import { cached } from '../cache/cached';
import { badInput } from '../common/errors';
import { findInScope } from '../common/find';
import { likePattern, type Page } from '../common/pagination';
import { readScope, viaMailing } from '../common/scope';
import { Mailing } from '../mailings/mailing.entity';
import { Attempt, AttemptStatus } from '../sending/attempt.entity';
import { DELIVERY_COUNT_COLUMNS } from '../sending/attempt-progress';
import { Delivery, DeliveryStatus } from '../sending/delivery.entity';
import { User } from '../users/user.entity';
import type { AttemptDeliveriesArgs, AttemptFilter, MailingReportArgs, UserStatsArgs } from './report.args';
import type { MailingReport, UserStats } from './report.types';

interface ReportRow {
  id: string;
  last_attempt_at: Date;
}

interface StatsRow {
  owner_id: string;
  successful_attempts: number;
  failed_attempts: number;
  messages_sent: number;
  messages_failed: number;
}

/** Reports on carried-out mailings and per-user totals, scoped like every read. */
export class ReportService {
  constructor(
    private readonly em: EntityManager,
    private readonly cache: AppCache,
  ) {}

  /** Mailings with at least one attempt matching the filter, newest attempt first. */
  async mailingReports(actor: Actor, args: MailingReportArgs): Promise<Page<MailingReport>> {
    const { offset, limit } = args;
    const filter = attemptFilter(args);
    const { owner } = readScope(actor);
    const conditions: string[] = [];
    const params: unknown[] = [];
    const where = (sql: string, value: unknown) => {
      conditions.push(sql);
      params.push(value);
    };
    if (owner) where('m.owner_id = ?', owner);
    if (args.mailingId) where('m.id = ?', args.mailingId);
    if (filter.status) where('a.status = ?', filter.status);
    if (filter.from) where('a.attempted_at >= ?', filter.from);
    if (filter.to) where('a.attempted_at <= ?', filter.to);
    if (args.search) where('msg.subject ilike ?', likePattern(args.search));
    const matched = `from mailings m
      join attempts a on a.mailing_id = m.id
      join messages msg on msg.id = m.message_id
      ${conditions.length ? `where ${conditions.join(' and ')}` : ''}`;

    const [{ total }] = await this.em.execute<Array<{ total: number }>>(
      `select count(distinct m.id)::int as total ${matched}`,
      params,
      'all',
      this.em.getLoggerContext(),
    );
    const rows = await this.em.execute<ReportRow[]>(
      `select m.id, max(a.attempted_at) as last_attempt_at ${matched}
       group by m.id order by last_attempt_at desc, m.id limit ? offset ?`,
      [...params, limit, offset],
      'all',
      this.em.getLoggerContext(),
    );
    const mailings = rows.length
      ? await this.em.find(Mailing, { id: { $in: rows.map((r) => r.id) } }, { populate: ['message', 'owner'] })
      : [];
    const byId = new Map(mailings.map((m) => [m.id, m]));
    const items = rows.map((row): MailingReport => {
      const mailing = byId.get(row.id)!;
      return {
        mailing,
        subject: mailing.message.subject,
        ownerEmail: mailing.owner.email,
        lastAttemptAt: new Date(row.last_attempt_at),
        filter,
      };
    });
    return { items, total, offset, limit };
  }

  /**
   * Who did and did not get the mail in one attempt, with the server's answer, and whether
   * it is still open. A closed attempt's deliveries no longer change: its counts come from
   * the attempt (cached until the owner's next write), its pages may be cached whole.
   */
  async attemptDeliveries(actor: Actor, args: AttemptDeliveriesArgs): Promise<{ page: Page<Delivery>; open: boolean }> {
    const { attemptId, status, search, offset, limit } = args;
    let checkedNow = false;
    // Null while open; its closing (a flush of the attempt) invalidates this.
    const closed = await cached(this.cache, actor, 'attempt.closedCounts', { attemptId }, async () => {
      const attempt = await findInScope(this.em, Attempt, attemptId, viaMailing(readScope(actor)));
      checkedNow = true;
      return CLOSED.includes(attempt.status) ? closedCounts(attempt) : null;
    });
    const known = closed && !search ? closed[status ?? 'ALL'] : undefined;
    const where = deliveriesWhere(attemptId, args);
    const options = { orderBy: { email: 'asc', id: 'asc' }, offset, limit } as const;
    if (known !== undefined) return { page: { items: await this.em.find(Delivery, where, options), total: known, offset, limit }, open: false };
    // Checked again when the answer above came from the cache: its mailing may have been deleted since.
    if (!checkedNow) await findInScope(this.em, Attempt, attemptId, viaMailing(readScope(actor)));
    const [items, total] = await this.em.findAndCount(Delivery, where, options);
    return { page: { items, total, offset, limit }, open: !closed };
  }

  /** Every user's totals for managers and admins (or one user's); a user's own single row for a user. */
  async userStats(actor: Actor, { offset, limit, search, userId }: UserStatsArgs): Promise<Page<UserStats>> {
    const { owner } = readScope(actor);
    const where: FilterQuery<User> = owner ? { id: owner } : {};
    if (userId) where.$and = [{ id: userId }];
    if (search) {
      const like = likePattern(search);
      where.$or = [{ email: { $ilike: like } }, { fullName: { $ilike: like } }];
    }
    const [users, total] = await this.em.findAndCount(User, where, {
      orderBy: { email: 'asc', id: 'asc' },
      offset,
      limit,
    });
    const stats = await this.totalsOf(users.map((u) => u.id));
    const items = users.map((user): UserStats => {
      const row = stats.get(user.id);
      return {
        user,
        successfulAttempts: row?.successful_attempts ?? 0,
        failedAttempts: row?.failed_attempts ?? 0,
        messagesSent: row?.messages_sent ?? 0,
        messagesFailed: row?.messages_failed ?? 0,
      };
    });
    return { items, total, offset, limit };
  }

  /**
   * One query for a whole page of users. A closed attempt carries its counts; only a
   * running one's deliveries are counted live.
   */
  private async totalsOf(ownerIds: string[]): Promise<Map<string, StatsRow>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.em.execute<StatsRow[]>(
      `select m.owner_id,
              (count(*) filter (where a.status = ?))::int as successful_attempts,
              (count(*) filter (where a.status = ?))::int as failed_attempts,
              coalesce(sum(case when a.status = ? then live.sent else a.sent_count end), 0)::int as messages_sent,
              coalesce(sum(case when a.status = ? then live.failed else a.failed_count end), 0)::int as messages_failed
         from attempts a
         join mailings m on m.id = a.mailing_id
         left join lateral (select ${DELIVERY_COUNT_COLUMNS} from deliveries where attempt_id = a.id and a.status = ?) live on true
        where m.owner_id in (?)
        group by m.owner_id`,
      [
        AttemptStatus.SUCCESS,
        AttemptStatus.FAILURE,
        AttemptStatus.RUNNING,
        AttemptStatus.RUNNING,
        AttemptStatus.RUNNING,
        ownerIds,
      ],
      'all',
      this.em.getLoggerContext(),
    );
    return new Map(rows.map((row) => [row.owner_id, row]));
  }
}

const CLOSED: AttemptStatus[] = [AttemptStatus.SUCCESS, AttemptStatus.FAILURE];
type ClosedCounts = Partial<Record<DeliveryStatus | 'ALL', number>>;

/** A closed attempt's deliveries by status, as written when it closed (none is still waiting or being sent). */
function closedCounts(attempt: Attempt): ClosedCounts {
  return {
    ALL: attempt.total,
    [DeliveryStatus.PENDING]: 0,
    [DeliveryStatus.SENDING]: 0,
    [DeliveryStatus.SENT]: attempt.sentCount,
    [DeliveryStatus.FAILED]: attempt.failedCount,
    [DeliveryStatus.UNCERTAIN]: attempt.uncertainCount,
    [DeliveryStatus.SKIPPED]: attempt.skippedCount,
  };
}

function deliveriesWhere(attemptId: string, { status, search }: AttemptDeliveriesArgs): FilterQuery<Delivery> {
  const where: FilterQuery<Delivery> = { attempt: attemptId };
  if (status) where.status = status;
  if (search) {
    const like = likePattern(search);
    where.$or = [{ email: { $ilike: like } }, { fullName: { $ilike: like } }];
  }
  return where;
}

function attemptFilter({ status, from, to }: MailingReportArgs): AttemptFilter {
  if (from && to && from > to) throw badInput('to', 'The end of the date range must not be before its start.');
  return { status, from, to };
}
