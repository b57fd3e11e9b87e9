import type { ApolloCache } from '@apollo/client/core';

/**
 * After a message was written or deleted: every cached message list (the list page, the
 * mailing form's picker, home's first steps) is dropped, so those on screen fetch again.
 */
export function forgetMessageLists(cache: ApolloCache<unknown>): void {
  cache.evict({ id: 'ROOT_QUERY', fieldName: 'messages' });
  cache.gc();
}
