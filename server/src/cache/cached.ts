import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import type { Page } from '../common/pagination';
import type { AppCache } from './app-cache';
import { ownerScope, readerScope } from './cache-scope';

/**
 * The actor's cached answer to `query(args)`; `compute` runs on a miss. The value
 * must survive JSON (numbers, strings, plain objects); for entity pages use `cachedPage`.
 */
export function cached<T>(cache: AppCache, actor: Actor, query: string, args: unknown, compute: () => Promise<T>): Promise<T> {
  return cache.read(readerScope(actor), query, args, compute);
}

/** A cached answer about one user's own account, invalidated by any change of theirs (whatever their role). */
export function cachedForOwner<T>(cache: AppCache, ownerId: string, query: string, args: unknown, compute: () => Promise<T>): Promise<T> {
  return cache.read(ownerScope(ownerId), query, args, compute);
}

/**
 * A cached page of entities: the cache keeps which ids are on the page and the total,
 * so the costly filtering, sorting and counting is skipped on a hit; the rows themselves
 * are read by primary key in one query, managed by `em`.
 */
export async function cachedPage<T extends { id: string }>(
  cache: AppCache,
  em: EntityManager,
  actor: Actor,
  query: string,
  entity: EntityClass<T>,
  args: unknown,
  compute: () => Promise<Page<T>>,
): Promise<Page<T>> {
  let computed: Page<T> | undefined;
  const page = await cached(cache, actor, query, args, async () => {
    computed = await compute();
    return { ...computed, items: computed.items.map((item) => item.id) };
  });
  if (computed) return computed;
  if (page.items.length === 0) return { ...page, items: [] };
  const rows = await em.find(entity, { id: { $in: page.items } } as unknown as FilterQuery<T>);
  const byId = new Map<string, T>(rows.map((row) => [row.id, row]));
  // A row deleted since is already invalidated; the filter only guards against a missed write.
  return { ...page, items: page.items.map((id) => byId.get(id)).filter((row): row is T => row !== undefined) };
}
