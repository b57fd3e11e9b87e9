import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { Logger } from './common/logger';
import type { Mailer } from './mail/mailer';
import type { MailingScheduler } from './sending/scheduler.types';
import type { AppCache } from './cache/app-cache';
import type { Session } from './auth/session.entity';
import type { User } from './users/user.entity';
import { sessionFor, tokenFrom } from './auth/current-user';

/** Long-lived parts of the app that request handlers use. */
export interface AppDeps {
  config: Config;
  logger: Logger;
  mailer: Mailer;
  scheduler: MailingScheduler;
  /** Server-side cache of often-read answers, scoped per reader. */
  cache: AppCache;
}

export interface Context {
  requestId: string;
  em: EntityManager;
  user?: User;
  session?: Session;
  req: Request;
  res: Response;
  app: AppDeps;
  /** A per-request DataLoader, created on first use under `name`. */
  loader<K, V>(name: string, batch: DataLoader.BatchLoadFn<K, V>): DataLoader<K, V>;
}

export async function createContext(
  deps: AppDeps,
  rootEm: EntityManager,
  req: Request,
  res: Response,
): Promise<Context> {
  const requestId = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
  // Every SQL query of the request carries its id to the ORM's logger.
  const em = rootEm.fork({ loggerContext: { requestId } });
  const auth = await sessionFor(em, tokenFrom(req));
  const loaders = new Map<string, DataLoader<unknown, unknown>>();
  return {
    requestId,
    em,
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
