import type { RequestContext } from '../common/request-context';
import { pagesPerParent } from '../common/pages-per-parent';
import type { Page, WindowArgs } from '../common/pagination';
import { Attempt, isOpenAttempt } from '../sending/attempt.entity';
import { liveCounts, progressOf } from '../sending/attempt-progress';
import type { AttemptProgress } from '../sending/attempt-progress.type';

/** Each mailing's latest run as live counts (null before its first run), for a batch of mailings in at most three queries. */
export const progressLoader = (ctx: RequestContext) =>
  ctx.loader<string, AttemptProgress | null>('mailing.progress', async (mailingIds) => {
    const latest = await ctx.em.execute<Array<{ id: string }>>(
      `select distinct on (mailing_id) id from attempts where mailing_id in (?)
        order by mailing_id, attempted_at desc, id desc`,
      [[...mailingIds]],
      'all',
      ctx.em.getLoggerContext(),
    );
    const attempts = latest.length ? await ctx.em.find(Attempt, { id: { $in: latest.map((row) => row.id) } }) : [];
    const live = await liveCounts(
      ctx.em,
      attempts.filter((a) => isOpenAttempt(a.status)).map((a) => a.id),
    );
    const byMailing = new Map(attempts.map((a) => [a.mailing.id, progressOf(a, live.get(a.id))]));
    return mailingIds.map((id) => byMailing.get(id) ?? null);
  });

/** One page of each mailing's attempts, newest first, for a batch of mailings at once. */
export const attemptPageLoader = (ctx: RequestContext, { offset, limit }: WindowArgs) =>
  ctx.loader<string, Page<Attempt>>(`mailing.attempts:${offset}:${limit}`, (mailingIds) =>
    pagesPerParent(
      ctx.em,
      Attempt,
      { from: 'attempts a', parent: 'a.mailing_id', child: 'a.id', orderBy: 'a.attempted_at desc, a.id desc' },
      mailingIds,
      { offset, limit },
    ),
  );
