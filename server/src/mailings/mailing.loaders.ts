import { hashArgs } from '../cache/app-cache';
import type { RequestContext } from '../common/request-context';
import { pagesPerParent } from '../common/pages-per-parent';
import { likePattern, type Page, type PageArgs } from '../common/pagination';
import { Recipient } from '../recipients/recipient.entity';

/** Rows of `table` per `column` value, for a whole batch of ids in one grouped query (0 where none). */
async function countPer(ctx: RequestContext, table: string, column: string, ids: readonly string[]): Promise<number[]> {
  const query = ctx.em
    .getKnex()(table)
    .select({ key: column })
    .count({ count: '*' })
    .whereIn(column, [...ids])
    .groupBy(column);
  const rows = await ctx.em.execute<Array<{ key: string; count: string }>>(query, [], 'all', ctx.em.getLoggerContext());
  const counts = new Map(rows.map((row) => [row.key, Number(row.count)]));
  return ids.map((id) => counts.get(id) ?? 0);
}

/** How many mailings use each message, per request. */
export const mailingCountLoader = (ctx: RequestContext) =>
  ctx.loader<string, number>('message.mailingCount', (messageIds) => countPer(ctx, 'mailings', 'message_id', messageIds));

/** One page of each mailing's recipients (by email; search over email and full name), for a batch of mailings at once. */
export const recipientPageLoader = (ctx: RequestContext, { offset, limit, search }: PageArgs) =>
  ctx.loader<string, Page<Recipient>>(`mailing.recipientPage:${hashArgs({ offset, limit, search })}`, (mailingIds) => {
    const like = search ? likePattern(search) : undefined;
    return pagesPerParent(
      ctx.em,
      Recipient,
      {
        from: 'mailing_audience ma join recipients r on r.id = ma.recipient_id',
        parent: 'ma.mailing_id',
        child: 'r.id',
        orderBy: 'r.email, r.id',
        ...(like && { where: 'r.email ilike ? or r.full_name ilike ?', params: [like, like] }),
      },
      mailingIds,
      { offset, limit },
    );
  });
