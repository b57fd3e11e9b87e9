import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import type { Context } from '../context';
import { actor } from '../context';
import type { Page } from '../common/pagination';
import { readerScope } from './cache-scope';

/**
 * The acting user's cached answer to `query(args)`; `compute` runs on a miss. The value
 * must survive JSON (numbers, strings, plain objects); for entity pages use `cachedPage`.
 */
export function cached<T>(ctx: Context, query: string, args: unknown, compute: () => Promise<T>): Promise<T> {
  return ctx.app.cache.read(readerScope(actor(ctx)), query, args, compute);
}

/**
 * A cached page of entities: the cache keeps which ids are on the page and the total,
 * so the costly filtering, sorting and counting is skipped on a hit; the rows themselves
 * are read by primary key in one query, managed by the request's entity manager.
 */
export async function cachedPage<T extends { id: string }>(
  ctx: Context,
  query: string,
  entity: EntityClass<T>,
  args: unknown,
  compute: () => Promise<Page<T>>,
): Promise<Page<T>> {
  let computed: Page<T> | undefined;
  const page = await cached(ctx, query, args, async () => {
    computed = await compute();
    return { ...computed, items: computed.items.map((item) => item.id) };
  });
  if (computed) return computed;
  if (page.items.length === 0) return { ...page, items: [] };
  const rows = await ctx.em.find(entity, { id: { $in: page.items } } as unknown as FilterQuery<T>);
  const byId = new Map<string, T>(rows.map((row) => [row.id, row]));
  // A row deleted since is already invalidated; the filter only guards against a missed write.
  return { ...page, items: page.items.map((id) => byId.get(id)).filter((row): row is T => row !== undefined) };
}
