import type { FilterQuery } from '@mikro-orm/core';
import type { RequestContext } from '../common/request-context';
import { hashArgs } from '../cache/app-cache';
import { Attempt } from '../sending/attempt.entity';
import type { AttemptFilter } from './report.args';

/** The matching attempts of many mailings in one query per request, newest first. */
export function attemptsOfMailing(ctx: RequestContext, filter: AttemptFilter) {
  return ctx.loader<string, Attempt[]>(`reports.attempts:${hashArgs(filter)}`, async (mailingIds) => {
    const where: FilterQuery<Attempt> = { mailing: { $in: [...mailingIds] } };
    if (filter.status) where.status = filter.status;
    if (filter.from || filter.to) {
      where.attemptedAt = { ...(filter.from && { $gte: filter.from }), ...(filter.to && { $lte: filter.to }) };
    }
    const attempts = await ctx.em.find(Attempt, where, { orderBy: { attemptedAt: 'desc', id: 'asc' } });
    const byMailing = new Map<string, Attempt[]>(mailingIds.map((id) => [id, []]));
    for (const attempt of attempts) byMailing.get(attempt.mailing.id)?.push(attempt);
    return mailingIds.map((id) => byMailing.get(id)!);
  });
}
