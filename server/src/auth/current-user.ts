import type { Request } from 'express';
import type { EntityManager } from '@mikro-orm/postgresql';
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

/**
 * Resolves a token to its live session and user. Blocked users and expired
 * sessions resolve to nothing, so blocking takes effect on the very next request.
 */
export async function sessionFor(
  em: EntityManager,
  token: string | undefined,
): Promise<{ session: Session; user: User } | undefined> {
  if (!token) return undefined;
  const session = await em.findOne(
    Session,
    { tokenHash: hashToken(token), expiresAt: { $gt: new Date() } },
    { populate: ['user'] },
  );
  if (!session) return undefined;
  const user = session.user as User;
  if (user.blocked || !user.emailVerifiedAt) return undefined;
  return { session, user };
}
