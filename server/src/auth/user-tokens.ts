import type { EntityManager } from '@mikro-orm/postgresql';
import type { User } from '../users/user.entity';
import { newToken, hashToken } from './tokens';
import { UserToken, type UserTokenKind } from './user-token.entity';

/** Creates a one-time token of `kind` for the user and returns the clear token to mail. */
export function issueUserToken(em: EntityManager, user: User, kind: UserTokenKind, ttlMs: number): string {
  const { token, hash } = newToken();
  em.create(UserToken, { kind, tokenHash: hash, user, expiresAt: new Date(Date.now() + ttlMs) });
  return token;
}

/** Whether a token of `kind` was mailed to the user within the last `withinMs` and is still unused. */
export async function recentlyIssued(em: EntityManager, user: User, kind: UserTokenKind, withinMs: number): Promise<boolean> {
  const count = await em.count(UserToken, {
    user,
    kind,
    usedAt: null,
    createdAt: { $gt: new Date(Date.now() - withinMs) },
  });
  return count > 0;
}

/**
 * Uses up a live token of `kind` and every other unused token of that kind of
 * its user; returns the user, or nothing when the token is unknown, expired or used.
 * The conditional update makes a token work once even under concurrent requests.
 */
export async function consumeUserToken(em: EntityManager, token: string, kind: UserTokenKind): Promise<User | undefined> {
  const found = await em.findOne(
    UserToken,
    { tokenHash: hashToken(token), kind, usedAt: null, expiresAt: { $gt: new Date() } },
    { populate: ['user'] },
  );
  if (!found) return undefined;
  const now = new Date();
  const claimed = await em.nativeUpdate(UserToken, { id: found.id, usedAt: null }, { usedAt: now });
  if (claimed !== 1) return undefined;
  await endUserTokens(em, found.user, kind, now);
  return found.user;
}

/** Uses up every unused token of `kind` of the user, so none of the links mailed so far works any more. */
export async function endUserTokens(em: EntityManager, user: User, kind: UserTokenKind, now = new Date()): Promise<void> {
  await em.nativeUpdate(UserToken, { user, kind, usedAt: null }, { usedAt: now });
}
