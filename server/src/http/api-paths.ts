import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Logger } from '../common/logger';

/** Paths the API answers (never the web app): GraphQL, the health check and the CSV exports. */
export const API_PATHS = ['/graphql', '/healthz', '/export'];

export function isApiPath(path: string): boolean {
  return API_PATHS.some((api) => path === api || path.startsWith(`${api}/`));
}

const isGraphql = (req: Request) => req.path === '/graphql' || req.path.startsWith('/graphql/');

/** An error in the shape the endpoint's clients read: GraphQL's `errors` list, else `{ error }` like the exports. */
function sendError(req: Request, res: Parameters<RequestHandler>[1], status: number, code: string, message: string) {
  res.status(status).json(isGraphql(req) ? { errors: [{ message, extensions: { code } }] } : { error: { code, message } });
}

/** A coded JSON 404 for any API path no route took (instead of Express's HTML page). */
export const apiNotFound: RequestHandler = (req, res, next) => {
  if (!isApiPath(req.path)) return next();
  sendError(req, res, 404, 'NOT_FOUND', `Nothing at ${req.method} ${req.path}.`);
};

/** Coded JSON for errors raised before a handler answered, e.g. by the body parser (413, malformed JSON). */
export function apiErrors(logger: Logger): ErrorRequestHandler {
  return (err: { status?: number; type?: string }, req, res, next) => {
    if (!isApiPath(req.path) || res.headersSent) return next(err);
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 413) return sendError(req, res, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (status < 500) return sendError(req, res, status, 'BAD_REQUEST', 'The request could not be read.');
    logger.error({ err }, 'request failed');
    sendError(req, res, 500, 'INTERNAL_SERVER_ERROR', 'Something went wrong on our side. Please try again later.');
  };
}
