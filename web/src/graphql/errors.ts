import { ApolloError } from '@apollo/client/core';

export interface ApiProblem {
  code: string;
  message: string;
  /** The input field at fault, for BAD_USER_INPUT and some CONFLICT errors. */
  field?: string;
}

/** The first problem the API reported, in a shape a page can show. */
export function apiProblem(error: unknown): ApiProblem {
  if (error instanceof ApolloError) {
    const first = error.graphQLErrors[0];
    if (first) {
      const { code, field } = first.extensions ?? {};
      return {
        code: typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR',
        message: first.message,
        field: typeof field === 'string' ? field : undefined,
      };
    }
    if (error.networkError) {
      return { code: 'NETWORK_ERROR', message: 'The server cannot be reached. Please try again.' };
    }
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: 'Something went wrong. Please try again.' };
}
