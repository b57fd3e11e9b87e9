import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Page, PageWindow } from './pagination';

/** The child rows of many parents as SQL: `from` joins whatever it needs, `where` narrows (with `params`). */
export interface ChildRows {
  /** e.g. `mailing_recipients mr join recipients r on r.id = mr.recipient_id` */
  from: string;
  /** The parent id column, e.g. `mr.mailing_id`. */
  parent: string;
  /** The child id column, e.g. `r.id`. */
  child: string;
  /** The order inside one parent's list, e.g. `r.email, r.id`. */
  orderBy: string;
  where?: string;
  params?: unknown[];
}

interface RankedRow {
  parent_id: string;
  child_id: string;
  position: string;
  total: string;
}

/**
 * The same page (offset, limit) of each parent's children, for a whole batch of parents in
 * two queries: the ranked ids with each list's total, then the entities by id. A parent
 * whose window is past its end still learns its total (from its first row).
 */
export async function pagesPerParent<T extends { id: string }>(
  em: EntityManager,
  entity: EntityClass<T>,
  rows: ChildRows,
  parentIds: readonly string[],
  { offset, limit }: PageWindow,
): Promise<Array<Page<T>>> {
  const ranked = await em.execute<RankedRow[]>(
    `select parent_id, child_id, position, total from (
       select ${rows.parent} as parent_id, ${rows.child} as child_id,
              row_number() over (partition by ${rows.parent} order by ${rows.orderBy}) as position,
              count(*) over (partition by ${rows.parent}) as total
         from ${rows.from}
        where ${rows.parent} in (?) ${rows.where ? `and (${rows.where})` : ''}
     ) ranked
     where position = 1 or (position > ? and position <= ?)
     order by parent_id, position`,
    [[...parentIds], ...(rows.params ?? []), offset, offset + limit],
    'all',
    em.getLoggerContext(),
  );
  const inWindow = ranked.filter((row) => Number(row.position) > offset);
  const found = inWindow.length
    ? await em.find(entity, { id: { $in: inWindow.map((row) => row.child_id) } } as unknown as FilterQuery<T>)
    : [];
  const byId = new Map(found.map((item) => [item.id, item]));
  const pages = new Map(parentIds.map((id): [string, Page<T>] => [id, { items: [], total: 0, offset, limit }]));
  for (const row of ranked) {
    const page = pages.get(row.parent_id)!;
    page.total = Number(row.total);
    const item = Number(row.position) > offset ? byId.get(row.child_id) : undefined;
    if (item) page.items.push(item);
  }
  return parentIds.map((id) => pages.get(id)!);
}
