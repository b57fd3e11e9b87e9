import type { EntityClass } from '@mikro-orm/core';
import type { Router } from 'express';
import type { IRules } from 'graphql-shield';

/**
 * One feature folder's registrations. src/feature-list.ts names every feature; the app,
 * the schema, the ORM and the read cache take what they need from that list.
 */
/**
 * Per type, the fields whose data only changes through writes that invalidate its owner's
 * cache scope (cache-invalidator.ts), or whose resolver sets `liveData` on the request when
 * this answer's does not; a root field listed must be allowed to every signed-in user.
 */
export type OwnerInvalidatedFields = Record<string, readonly string[]>;

export interface Feature<Deps = unknown> {
  /** MikroORM entities. */
  entities: EntityClass<object>[];
  /** type-graphql resolver classes; each is built once per app with the app's long-lived parts. */
  resolvers: Array<new (deps: Deps) => object>;
  /** graphql-shield rules of the feature's root fields (anything not named is denied). */
  permissions: { Query?: IRules; Mutation?: IRules };
  /** Whose cached reads go stale when one of the feature's rows changes. */
  cacheRules: CacheRule[];
  /**
   * Fields of the feature's types (and root fields every signed-in user may ask) whose data
   * only changes through writes its cache rules see: answers asking for nothing else are
   * cached whole (cache/answer-cache.ts). A field with live data (sending progress) is never listed.
   */
  answerFields?: OwnerInvalidatedFields;
  /** Plain HTTP endpoints beside /graphql (e.g. a CSV download). */
  routes?: (deps: Deps) => Router;
}

/** An SQL lookup of a row's owner: `sql` selects `owner_id` for the ids bound to its one `?`. */
export interface OwnerLookup {
  sql: string;
  id: string;
}

/** The owner a changed row belongs to: their id when it is at hand, else how to look it up. */
export type OwnerOf<T> = (row: T) => string | OwnerLookup;

export interface CacheRule {
  entity: EntityClass<object>;
  /** Called only with rows of `entity`. */
  ownerOf: OwnerOf<object>;
}

export function cacheRule<T extends object>(entity: EntityClass<T>, ownerOf: OwnerOf<T>): CacheRule {
  return { entity, ownerOf: (row) => ownerOf(row as T) };
}

/** The owner of a row with an `owner` relation: at hand when the row is loaded, else read from `table`. */
export function ownerColumn(table: string): OwnerOf<{ id: string; owner?: { id: string } }> {
  return (row) => row.owner?.id ?? { sql: `select owner_id from "${table}" where id in (?)`, id: row.id };
}
