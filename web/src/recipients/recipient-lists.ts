import type { ApolloCache } from '@apollo/client/core';

/**
 * After recipients were added or removed: every cached recipient list (and the home
 * figures that count them) is dropped, so the lists on screen fetch themselves again.
 */
export function forgetRecipientLists(cache: ApolloCache<unknown>): void {
  cache.evict({ id: 'ROOT_QUERY', fieldName: 'recipients' });
  cache.evict({ id: 'ROOT_QUERY', fieldName: 'home' });
  cache.gc();
}
