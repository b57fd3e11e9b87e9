export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS';

/** What else a client learns about an error: the input field it is about, the kind of row not found, when to try again. */
export interface ErrorDetails {
  field?: string;
  entity?: string;
  retryAfterSeconds?: number;
}

/**
 * A domain error a caller caused: services throw it, whoever called them decides how to
 * show it (common/format-error.ts for GraphQL, cli/cli-runtime.ts on the command line).
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badInput = (field: string, message: string) => new AppError('BAD_USER_INPUT', message, { field });
export const unauthenticated = (message = 'You must be logged in.') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError('FORBIDDEN', message);
export const notFound = (entity: string, id?: string, field?: string) =>
  new AppError('NOT_FOUND', id ? `${entity} ${id} was not found.` : `${entity} was not found.`, {
    entity,
    ...(field && { field }),
  });
export const conflict = (message: string, field?: string) => new AppError('CONFLICT', message, field ? { field } : {});

/** Too many attempts in a while (a rate limit): the client may try again after `retryAfterSeconds`. */
export function tooManyRequests(retryAfterSeconds: number): AppError {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return new AppError('TOO_MANY_REQUESTS', `Too many attempts — try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, {
    retryAfterSeconds,
  });
}
