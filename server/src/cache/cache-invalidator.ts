import type { EntityManager, EventSubscriber, FlushEventArgs, TransactionEventArgs, UnitOfWork } from '@mikro-orm/core';
import type { CacheRule } from '../common/feature';
import type { AppCache } from './app-cache';
import { scopesOfOwners } from './cache-scope';

/**
 * Invalidates the cached reads of every owner whose rows a flush changed, so no service
 * has to remember to; each feature's cache rules say who owns its rows. It fires once the change is visible to other connections: after
 * the flush, or, inside an explicit transaction, after that transaction commits.
 */
export class CacheInvalidator implements EventSubscriber {
  private readonly ownersByFlush = new WeakMap<UnitOfWork, Set<string>>();
  private readonly ownersByTransaction = new WeakMap<object, Set<string>>();

  constructor(
    readonly cache: AppCache,
    private readonly rules: CacheRule[],
  ) {}

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const owners = await this.ownersTouched(em, uow);
    if (owners.size > 0) this.ownersByFlush.set(uow, owners);
    else this.ownersByFlush.delete(uow);
  }

  async afterFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const owners = this.ownersByFlush.get(uow);
    if (!owners) return;
    this.ownersByFlush.delete(uow);
    await this.ownersChanged(em, owners);
  }

  async afterTransactionCommit({ transaction }: TransactionEventArgs): Promise<void> {
    const owners = transaction && this.ownersByTransaction.get(transaction);
    if (!owners) return;
    this.ownersByTransaction.delete(transaction);
    await this.cache.invalidate(scopesOfOwners(owners));
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.ownersByTransaction.delete(transaction);
  }

  /** Invalidates now, or when the transaction `em` is in commits. */
  async ownersChanged(em: EntityManager, owners: Iterable<string>): Promise<void> {
    if (!em.isInTransaction()) {
      await this.cache.invalidate(scopesOfOwners(owners));
      return;
    }
    const root = rootTransaction(em.getTransactionContext() as object);
    const pending = this.ownersByTransaction.get(root) ?? new Set<string>();
    for (const owner of owners) pending.add(owner);
    this.ownersByTransaction.set(root, pending);
  }

  /** Owners at hand in the changed rows, and the others looked up in the database (before the flush writes, so rows about to be deleted still exist). */
  private async ownersTouched(em: EntityManager, uow: UnitOfWork): Promise<Set<string>> {
    const owners = new Set<string>();
    const lookups = new Map<string, Set<string>>();
    const touched = (row: object) => {
      const rule = this.rules.find((r) => row instanceof r.entity);
      const owner = rule?.ownerOf(row);
      if (typeof owner === 'string') owners.add(owner);
      else if (owner) lookups.set(owner.sql, (lookups.get(owner.sql) ?? new Set()).add(owner.id));
    };
    for (const { entity } of uow.getChangeSets()) touched(entity);
    // A changed many-to-many set (a mailing's recipients) belongs to the row that holds it.
    for (const collection of uow.getCollectionUpdates()) touched(collection.owner);
    if (lookups.size === 0) return owners;
    const sql = [...lookups.keys()].join(' union ');
    const params = [...lookups.values()].map((ids) => [...ids]);
    const rows = await em.getConnection().execute<Array<{ owner_id: string }>>(sql, params, 'all', em.getTransactionContext());
    for (const row of rows) owners.add(row.owner_id);
    return owners;
  }
}

/**
 * For writers that bypass the unit of work (raw SQL, `nativeUpdate`, query builders):
 * invalidates the cached reads of these owners, after the commit when `em` is in a transaction.
 */
export async function invalidateOwner(em: EntityManager, ...ownerIds: string[]): Promise<void> {
  for (const subscriber of em.getEventManager().getSubscribers()) {
    if (subscriber instanceof CacheInvalidator) await subscriber.ownersChanged(em, ownerIds);
  }
}

/** A savepoint's changes become visible when its outermost transaction commits. */
function rootTransaction(trx: object): object {
  // MikroORM links a nested transaction to its parent under a private symbol.
  const parentKey = Object.getOwnPropertySymbols(trx).find((s) => s.description === 'parentTransaction');
  const parent = parentKey && (trx as Record<symbol, object | undefined>)[parentKey];
  return parent ? rootTransaction(parent) : trx;
}
