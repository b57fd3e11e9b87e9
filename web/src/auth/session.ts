import { readonly, ref } from 'vue';
import { apolloClient } from '@/apollo';
import { CurrentUserDocument, type CurrentUserQuery } from '@/graphql/generated';

export type SessionUser = NonNullable<CurrentUserQuery['me']>;

const user = ref<SessionUser | null>(null);
let loaded: Promise<SessionUser | null> | undefined;

/** Who is logged in, for templates; null for an anonymous visitor. */
export const currentUser = readonly(user);

/**
 * Asks the server once who the cookie belongs to. A failed request (server down)
 * counts as anonymous and is asked again on the next navigation.
 */
export function loadSession(): Promise<SessionUser | null> {
  loaded ??= apolloClient
    .query({ query: CurrentUserDocument, fetchPolicy: 'network-only' })
    .then(({ data }) => (user.value = data.me ?? null))
    .catch(() => {
      loaded = undefined;
      return (user.value = null);
    });
  return loaded;
}

export function signedIn(sessionUser: SessionUser): void {
  apolloClient.writeQuery({ query: CurrentUserDocument, data: { me: sessionUser } });
  user.value = sessionUser;
  loaded = Promise.resolve(sessionUser);
}

/** Forgets everything cached for the previous user. */
export async function signedOut(): Promise<void> {
  await apolloClient.clearStore();
  user.value = null;
  loaded = Promise.resolve(null);
}
