import type { Request } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
import { LRUCache } from 'lru-cache';
import type { AppCache } from '../cache/app-cache';
import { cachedForOwner } from '../cache/cached';
import type { Actor } from '../common/actor';
import { User } from '../users/user.entity';
import { Session } from '../users/session.entity';
import { hashToken } from './tokens';

export const SESSION_COOKIE = 'mailing_session';

/** `Authorization: Bearer …`; the scheme is case-insensitive (RFC 7235). */
const BEARER = /^bearer +(.*)$/i;

/** The bearer token from `Authorization: Bearer …`, else from the session cookie. */
export function tokenFrom(req: Request): string | undefined {
  const bearer = BEARER.exec(req.headers.authorization ?? '');
  if (bearer) return bearer[1].trim() || undefined;
  const cookie = (req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE];
  return cookie || undefined;
}

/** Who a live session acts for, as the read cache keeps it. */
export interface SignedIn {
  sessionId: string;
  actor: Actor;
}

interface CachedSession extends SignedIn {
  expiresAt: string;
}

/** Which user a token's session belongs to: a session never changes hands, so this is never stale. */
const sessionOwners = new LRUCache<string, string>({ max: 10_000 });

/**
 * Resolves a token to its live session and user. Blocked users and expired
 * sessions resolve to nothing, so blocking takes effect on the very next request.
 * With `cache`, a known token is answered from the user's cached reads, which every
 * change of the account and every end of its sessions invalidates (cache/cached.ts).
 */
export async function sessionFor(em: EntityManager, token: string | undefined, cache?: AppCache): Promise<SignedIn | undefined> {
  if (!token) return undefined;
  const tokenHash = hashToken(token);
  const owner = cache && sessionOwners.get(tokenHash);
  const found = owner ? await cachedForOwner(cache, owner, 'auth.session', { tokenHash }, () => liveSession(em, tokenHash)) : await liveSession(em, tokenHash);
  if (!found || new Date(found.expiresAt).getTime() <= Date.now()) return undefined;
  sessionOwners.set(tokenHash, found.actor.id);
  return { sessionId: found.sessionId, actor: found.actor };
}

async function liveSession(em: EntityManager, tokenHash: string): Promise<CachedSession | null> {
  const session = await em.findOne(Session, { tokenHash, expiresAt: { $gt: new Date() } }, { populate: ['user'] });
  if (!session) return null;
  const user = session.user as User;
  if (user.blocked || !user.emailVerifiedAt) return null;
  return { sessionId: session.id, expiresAt: session.expiresAt.toISOString(), actor: { id: user.id, role: user.role } };
}
