import type { Response } from 'express';
import type DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from './actor';

/** What a resolver gets for one GraphQL request (built in src/context.ts). */
export interface RequestContext {
  requestId: string;
  /** The request's own entity manager (its SQL is logged with the request id). */
  em: EntityManager;
  /** The signed-in user; none for an anonymous caller. */
  actor?: Actor;
  /** The session the request came with, if any. */
  sessionId?: string;
  /** The client's IP address (behind proxies the app trusts, the one they name: TRUST_PROXY). */
  clientAddress: string;
  /** The HTTP response, for the resolvers that set cookies. */
  res: Response;
  /** Set by a resolver whose data changes without a write of its owner (a running attempt's deliveries): the answer is not cached whole. */
  liveData?: boolean;
  /** A per-request DataLoader, created on first use under `name`. */
  loader<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V>;
}

/** The acting user; resolvers behind an `isAuthenticated` rule can rely on it. */
export function actorOf(ctx: RequestContext): Actor {
  if (!ctx.actor) throw new Error('actorOf() called without a signed-in user');
  return ctx.actor;
}
