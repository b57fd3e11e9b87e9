import { GraphQLError } from 'graphql';

export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT';

/** A client-caused error: always reaches the client with its code and message. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
  }
}

export const badInput = (field: string, message: string) =>
  new AppError('BAD_USER_INPUT', message, { field });
export const unauthenticated = (message = 'You must be logged in.') =>
  new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You are not allowed to do this.') =>
  new AppError('FORBIDDEN', message);
export const notFound = (entity: string, id?: string) =>
  new AppError('NOT_FOUND', id ? `${entity} ${id} was not found.` : `${entity} was not found.`, {
    entity,
  });
export const conflict = (message: string, field?: string) =>
  new AppError('CONFLICT', message, field ? { field } : {});
