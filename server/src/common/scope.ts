import { Role, type Actor } from './actor';

/** Managers and admins read everyone's rows; a user reads their own. */
export function readScope(actor: Actor): { owner?: string } {
  return actor.role === Role.USER ? { owner: actor.id } : {};
}

/** Only a regular user writes, and only their own rows. */
export function writeScope(actor: Actor): { owner: string } {
  return { owner: actor.id };
}

/** The same scope for rows that belong to a mailing (attempts), through the mailing's owner. */
export function viaMailing(scope: { owner?: string }): { mailing?: { owner: string } } {
  return scope.owner ? { mailing: { owner: scope.owner } } : {};
}
