import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { AppError } from './errors';

/** Codes that graphql/Apollo raise themselves for a malformed request; safe to pass on. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Whether an error was caused by the client (and so its message may be shown). */
export function isClientError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  return original instanceof AppError || original instanceof ArgumentValidationError;
}

/**
 * The one place domain errors become GraphQL errors: client errors keep their code and
 * message, everything else is masked (no SQL, no stacks).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AppError) {
    return { message: original.message, path: formatted.path, extensions: { code: original.code, ...original.details } };
  }
  if (original instanceof ArgumentValidationError) {
    const { field, message } = firstViolation(original.extensions.validationErrors as Violation[]);
    return { message, path: formatted.path, extensions: { code: 'BAD_USER_INPUT', field } };
  }
  const code = formatted.extensions?.code as string | undefined;
  if (code && REQUEST_CODES.has(code) && !formatted.path) {
    return { message: formatted.message, locations: formatted.locations, extensions: { code } };
  }
  if (code === 'BAD_USER_INPUT') {
    return { message: formatted.message, path: formatted.path, extensions: { code } };
  }
  return {
    message: 'Something went wrong on our side. Please try again later.',
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

interface Violation {
  property: string;
  constraints?: Record<string, string>;
  children?: Violation[];
}

/** The innermost failing property of a class-validator result (`input.email` reports `email`). */
function firstViolation(errors: Violation[] | undefined): { field?: string; message: string } {
  let current = errors?.[0];
  while (current && !current.constraints && current.children?.length) current = current.children[0];
  const message = current?.constraints ? Object.values(current.constraints)[0] : undefined;
  return { field: current?.property, message: message ?? 'Invalid input.' };
}
