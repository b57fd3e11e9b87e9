import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from './common/request-context';
import type { AppDeps } from './app-deps';
import type { Session } from './users/session.entity';
import type { User } from './users/user.entity';
import { sessionFor, tokenFrom } from './auth/current-user';

export interface Context extends RequestContext {
  user?: User;
  session?: Session;
  req: Request;
  app: AppDeps;
}

export async function createContext(deps: AppDeps, rootEm: EntityManager, req: Request, res: Response): Promise<Context> {
  const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
  // Every SQL query of the request carries its id to the ORM's logger.
  const em = rootEm.fork({ loggerContext: { requestId } });
  const auth = await sessionFor(em, tokenFrom(req));
  const loaders = new Map<string, DataLoader<unknown, unknown>>();
  return {
    requestId,
    em,
    actor: auth?.user,
    sessionId: auth?.session.id,
    user: auth?.user,
    session: auth?.session,
    req,
    res,
    app: deps,
    loader<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>) {
      let l = loaders.get(name) as DataLoader<K, V> | undefined;
      if (!l) {
        l = new DataLoader<K, V>(batch);
        loaders.set(name, l as DataLoader<unknown, unknown>);
      }
      return l;
    },
  };
}

/** The acting user; resolvers behind an `isAuthenticated` rule can rely on it. */
export function actor(ctx: Context): User {
  if (!ctx.user) throw new Error('actor() called without an authenticated user');
  return ctx.user;
}
