import type { EntityClass, FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { notFound } from './errors';

/**
 * The row with this id inside `scope` (e.g. the caller's read or write scope), else
 * NOT_FOUND — also for an id that is no UUID, which names no row.
 */
export async function findInScope<T extends object>(
  em: EntityManager,
  entity: EntityClass<T>,
  id: string,
  scope: FilterQuery<T> = {},
): Promise<T> {
  const found = isUuid(id) ? await em.findOne(entity, { ...(scope as object), id } as FilterQuery<T>) : null;
  if (!found) throw notFound(entity.name, id);
  return found as T;
}

const uuid = z.uuid();

/** Whether `id` can name a row at all (ids are UUIDs). */
export function isUuid(id: string): boolean {
  return uuid.safeParse(id).success;
}
