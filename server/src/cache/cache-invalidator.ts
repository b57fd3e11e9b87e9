import type { EntityManager, EventSubscriber, FlushEventArgs, TransactionEventArgs, UnitOfWork } from '@mikro-orm/core';
import { Mailing } from '../mailings/mailing.entity';
import { Message } from '../messages/message.entity';
import { Recipient } from '../recipients/recipient.entity';
import { Attempt } from '../sending/attempt.entity';
import { Delivery } from '../sending/delivery.entity';
import { User } from '../users/user.entity';
import type { AppCache } from './app-cache';
import { scopesOfOwners } from './cache-scope';

/** Rows whose owner is not in memory: ids of owned rows by table, and of attempts. */
interface UnresolvedOwners {
  byOwnedRow: Map<string, Set<string>>;
  byAttempt: Set<string>;
}

/**
 * Invalidates the cached reads of every owner whose rows a flush changed, so no service
 * has to remember to. It fires once the change is visible to other connections: after
 * the flush, or, inside an explicit transaction, after that transaction commits.
 */
export class CacheInvalidator implements EventSubscriber {
  private readonly ownersByFlush = new WeakMap<UnitOfWork, Set<string>>();
  private readonly ownersByTransaction = new WeakMap<object, Set<string>>();

  constructor(readonly cache: AppCache) {}

  async onFlush({ em, uow }: FlushEventArgs): Promise<void> {
    const owners = await ownersTouched(em, uow);
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

async function ownersTouched(em: EntityManager, uow: UnitOfWork): Promise<Set<string>> {
  const owners = new Set<string>();
  const unresolved: UnresolvedOwners = { byOwnedRow: new Map(), byAttempt: new Set() };
  const ownedRow = (entity: Recipient | Message | Mailing, table: string) => {
    if (entity.owner?.id) owners.add(entity.owner.id);
    else unresolved.byOwnedRow.set(table, (unresolved.byOwnedRow.get(table) ?? new Set()).add(entity.id));
  };
  for (const { entity } of uow.getChangeSets()) {
    if (entity instanceof User) owners.add(entity.id);
    else if (entity instanceof Recipient) ownedRow(entity, 'recipients');
    else if (entity instanceof Message) ownedRow(entity, 'messages');
    else if (entity instanceof Mailing) ownedRow(entity, 'mailings');
    else if (entity instanceof Attempt) ownedRow(entity.mailing, 'mailings');
    else if (entity instanceof Delivery) {
      const owner = entity.attempt.mailing?.owner?.id;
      if (owner) owners.add(owner);
      else unresolved.byAttempt.add(entity.attempt.id);
    }
  }
  for (const collection of uow.getCollectionUpdates()) {
    const mailing = collection.owner;
    if (mailing instanceof Mailing) ownedRow(mailing, 'mailings');
  }
  for (const owner of await lookUpOwners(em, unresolved)) owners.add(owner);
  return owners;
}

/** Finds owners in the database (before the flush writes, so rows about to be deleted still exist). */
async function lookUpOwners(em: EntityManager, unresolved: UnresolvedOwners): Promise<string[]> {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ids: Set<string>) => {
    if (ids.size === 0) return;
    parts.push(sql);
    params.push([...ids]);
  };
  for (const [table, ids] of unresolved.byOwnedRow) add(`select owner_id from "${table}" where id in (?)`, ids);
  add('select m.owner_id from attempts a join mailings m on m.id = a.mailing_id where a.id in (?)', unresolved.byAttempt);
  if (parts.length === 0) return [];
  const rows = await em
    .getConnection()
    .execute<Array<{ owner_id: string }>>(parts.join(' union '), params, 'all', em.getTransactionContext());
  return rows.map((row: { owner_id: string }) => row.owner_id);
}
