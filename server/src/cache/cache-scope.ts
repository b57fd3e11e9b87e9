import { Role, type Actor } from '../common/actor';

/** Staff read everyone's rows, so they share one scope; a user's reads are theirs alone. */
const STAFF_SCOPE = 'all';

/** The scope of one owner's rows, invalidated by every change to them. */
export const ownerScope = (ownerId: string) => `u:${ownerId}`;

/** The scope an actor's cached reads live in (mirrors common/scope.ts readScope). */
export function readerScope(actor: Actor): string {
  return actor.role === Role.USER ? ownerScope(actor.id) : STAFF_SCOPE;
}

/** The scopes a change to an owner's rows makes stale: theirs and the staff's. */
export function scopesOfOwners(ownerIds: Iterable<string>): string[] {
  return [...new Set(ownerIds)].map(ownerScope).concat(STAFF_SCOPE);
}
