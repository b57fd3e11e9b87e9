import { randomUUID } from 'node:crypto';
import type { Request } from 'express';

/** What a client's own request id may look like: it ends up in logs, so nothing else gets through. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The client's `x-request-id` when it looks like one, else a new id. */
export function requestIdOf(req: Request): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
