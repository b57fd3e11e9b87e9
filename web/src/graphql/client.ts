import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client/core';
import { onError } from '@apollo/client/link/error';
import { markApiReachable, onRetry, reportSessionLost } from './api-status';

/** HTTP answers that mean "no API behind this address" (a proxy without its server, a restart). */
const UNREACHABLE_STATUSES = new Set([502, 503, 504]);

/**
 * Watches every answer: a network failure raises the app-wide banner, any answer clears it.
 * UNAUTHENTICATED on a request other than logging in, or `me: null`, means the session ended
 * (it expired, the user was blocked); the shell then sends a logged-in user to the login page.
 */
const statusLink = new ApolloLink((operation, forward) =>
  forward(operation).map((result) => {
    markApiReachable(true);
    if (result.data && 'me' in result.data && result.data.me === null) reportSessionLost('You are no longer logged in.');
    return result;
  }),
);

const errorLink = onError(({ networkError, graphQLErrors, operation }) => {
  if (networkError) {
    const status = 'statusCode' in networkError ? networkError.statusCode : undefined;
    markApiReachable(status !== undefined && !UNREACHABLE_STATUSES.has(status));
    return;
  }
  const lost = graphQLErrors?.find((error) => error.extensions?.code === 'UNAUTHENTICATED');
  if (lost && operation.operationName !== 'Login') reportSessionLost(lost.message);
});

/**
 * One client for the app. The session lives in an httpOnly cookie set by `login`,
 * so every request sends credentials; `/graphql` is same-origin (the server serves
 * the built app, and the Vite dev server proxies it).
 */
export const apolloClient = new ApolloClient({
  link: ApolloLink.from([errorLink, statusLink, new HttpLink({ uri: '/graphql', credentials: 'include' })]),
  cache: new InMemoryCache(),
  defaultOptions: {
    watchQuery: { fetchPolicy: 'cache-and-network' },
  },
});

onRetry(() => apolloClient.reFetchObservableQueries());
