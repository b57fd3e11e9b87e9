import { DriverException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import { badInput } from '../common/errors';
import { readScope } from '../common/scope';
import { MAX_DAILY_RANGE_DAYS, type DailyDeliveries, type DeliveryDailyArgs } from './delivery-daily.types';

/** PostgreSQL's code for a time zone it does not know (invalid_parameter_value). */
const UNKNOWN_ZONE = '22023';

/**
 * Per calendar day of `timeZone`, the caller's deliveries (everyone's for managers and
 * admins) that ended SENT, FAILED or UNCERTAIN within [from, to], every day present.
 * A delivery's last change is when it ended (a done delivery is never written again),
 * so `updated_at` is its final time; the range is matched on the column itself, which the
 * partial index deliveries_done_idx (attempt_id, updated_at) serves per attempt.
 */
export async function deliveryDaily(em: EntityManager, actor: Actor, { from, to, timeZone }: DeliveryDailyArgs): Promise<DailyDeliveries[]> {
  if (to.getTime() < from.getTime()) throw badInput('to', 'The end of the range must not be before its start.');
  const zone = knownZone(timeZone);
  if (calendarDays(from, to, zone) > MAX_DAILY_RANGE_DAYS) {
    throw badInput('to', `The range may cover at most ${MAX_DAILY_RANGE_DAYS} days.`);
  }
  const { owner } = readScope(actor);
  try {
    return await em.execute<DailyDeliveries[]>(
      `with done as (
         select (d.updated_at at time zone ?)::date as day, d.status
           from deliveries d
           join attempts a on a.id = d.attempt_id
           join mailings m on m.id = a.mailing_id
          where d.status in ('SENT', 'FAILED', 'UNCERTAIN')
            and d.updated_at >= ? and d.updated_at <= ?
            ${owner ? 'and m.owner_id = ?' : ''}
       )
       select to_char(days.day, 'YYYY-MM-DD') as day,
              (count(done.status) filter (where done.status = 'SENT'))::int as sent,
              (count(done.status) filter (where done.status = 'FAILED'))::int as failed,
              (count(done.status) filter (where done.status = 'UNCERTAIN'))::int as uncertain
         from generate_series((?::timestamptz at time zone ?)::date, (?::timestamptz at time zone ?)::date, interval '1 day') as days(day)
         left join done on done.day = days.day::date
        group by days.day
        order by days.day`,
      [zone, from, to, ...(owner ? [owner] : []), from, zone, to, zone],
      'all',
      em.getLoggerContext(),
    );
  } catch (err) {
    // Intl and PostgreSQL ship their own zone data; PostgreSQL has the last word.
    if (err instanceof DriverException && err.code === UNKNOWN_ZONE) throw unknownZone(timeZone);
    throw err;
  }
}

const unknownZone = (timeZone: string) => badInput('timeZone', `Unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin.`);

/** The IANA name of the zone; offsets like "+03:00" are refused (PostgreSQL would read them as POSIX, sign inverted). */
function knownZone(timeZone: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(timeZone)) throw unknownZone(timeZone);
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone }).resolvedOptions().timeZone;
  } catch {
    throw unknownZone(timeZone);
  }
}

/** How many calendar days of `zone` the range touches. */
function calendarDays(from: Date, to: Date, zone: string): number {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const utcMidnight = (date: Date) => Date.parse(`${day.format(date)}T00:00:00Z`);
  return Math.round((utcMidnight(to) - utcMidnight(from)) / 86_400_000) + 1;
}
