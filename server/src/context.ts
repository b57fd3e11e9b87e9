import type { Request, Response } from 'express';
import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestContext } from './common/request-context';
import type { AppCache } from './cache/app-cache';
import { sessionFor, tokenFrom } from './auth/current-user';
import { requestIdOf } from './http/request-id';

/** The context of one GraphQL request: who asks (from the session token), its own entity manager and loaders. */
export async function createContext(rootEm: EntityManager, cache: AppCache, req: Request, res: Response): Promise<RequestContext> {
  const requestId = requestIdOf(req);
  res.setHeader('x-request-id', requestId);
  // Every SQL query of the request carries its id to the ORM's logger.
  const em = rootEm.fork({ loggerContext: { requestId } });
  const auth = await sessionFor(em, tokenFrom(req), cache);
  const loaders = new Map<string, DataLoader<unknown, unknown>>();
  return {
    requestId,
    em,
    actor: auth?.actor,
    sessionId: auth?.sessionId,
    clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    res,
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
