import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client/core';

/**
 * One client for the app. The session lives in an httpOnly cookie set by `login`,
 * so every request sends credentials; `/graphql` is same-origin (the server serves
 * the built app, and the Vite dev server proxies it).
 */
export const apolloClient = new ApolloClient({
  link: new HttpLink({ uri: '/graphql', credentials: 'include' }),
  cache: new InMemoryCache(),
  defaultOptions: {
    watchQuery: { fetchPolicy: 'cache-and-network' },
  },
});
