import { Role, type User } from '../users/user.entity';

/** Managers and admins read everyone's rows; a user reads their own. */
export function readScope(user: User): { owner?: string } {
  return user.role === Role.USER ? { owner: user.id } : {};
}

/** Only a regular user writes, and only their own rows. */
export function writeScope(user: User): { owner: string } {
  return { owner: user.id };
}

/** The same scope for rows that belong to a mailing (attempts), through the mailing's owner. */
export function viaMailing(scope: { owner?: string }): { mailing?: { owner: string } } {
  return scope.owner ? { mailing: { owner: scope.owner } } : {};
}
