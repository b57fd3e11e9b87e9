import DataLoader from 'dataloader';
import type { EntityManager } from '@mikro-orm/postgresql';
import { openAttempts, type OpenResult } from './open-attempt';

/** Opens a mailing's attempt at its scheduled start (see openAttempts' `scheduled`). */
export type StartOpener = (mailingId: string) => Promise<OpenResult>;

/** The most mailings one opening takes on. */
const MAX_BATCH = 500;

/**
 * Mailings due at the same second open together: while one opening runs, the starts asked for
 * meanwhile wait and then open in the next one, a few statements for all of them.
 */
export function startOpener(em: EntityManager, domain: string, chunkSize: number): StartOpener {
  let opening: Promise<unknown> = Promise.resolve();
  const loader = new DataLoader<string, OpenResult>(
    (mailingIds) => {
      const opened = openAttempts(em, mailingIds.map((mailingId) => ({ mailingId, scheduled: true })), domain, { chunkSize });
      opening = opened.catch(() => undefined);
      return opened;
    },
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (dispatch) => void opening.then(() => setImmediate(dispatch)) },
  );
  return (mailingId) => loader.load(mailingId);
}
