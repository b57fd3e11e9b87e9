import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
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

/** graphql-js stops coercing variables after 50 errors and adds this one, with no code. */
const VARIABLE_ERROR_LIMIT = 'Too many errors processing variables';

/** Apollo refuses some malformed requests (a persisted query whose hash or version is wrong) with HTTP 400 but no code. */
function answeredAsClientError(error: unknown): boolean {
  const status = (error as { extensions?: { http?: { status?: unknown } } } | null)?.extensions?.http?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Whether an error was caused by the client (and so its message may be shown): it keeps its code. */
export function isClientError(error: GraphQLError): boolean {
  return formatError(error.toJSON(), error).extensions?.code !== 'INTERNAL_SERVER_ERROR';
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
  const code = formatted.extensions?.code as string | undefined;
  if (code && REQUEST_CODES.has(code) && !formatted.path) {
    const field = formatted.extensions?.field;
    return { message: formatted.message, locations: formatted.locations, extensions: { code, ...(typeof field === 'string' && { field }) } };
  }
  if (!formatted.path && answeredAsClientError(error)) {
    return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  }
  if (!formatted.path && formatted.message.startsWith(VARIABLE_ERROR_LIMIT)) {
    return { message: formatted.message, extensions: { code: 'BAD_USER_INPUT' } };
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
