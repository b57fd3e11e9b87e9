import { Role, type User } from '../users/user.entity';

/** Staff read everyone's rows, so they share one scope; a user's reads are theirs alone. */
export const STAFF_SCOPE = 'all';

export const ownerScope = (ownerId: string) => `u:${ownerId}`;

/** The scope a user's cached reads live in (mirrors common/scope.ts readScope). */
export function readerScope(user: User): string {
  return user.role === Role.USER ? ownerScope(user.id) : STAFF_SCOPE;
}

/** The scopes a change to an owner's rows makes stale: theirs and the staff's. */
export function scopesOfOwners(ownerIds: Iterable<string>): string[] {
  return [...new Set(ownerIds)].map(ownerScope).concat(STAFF_SCOPE);
}
