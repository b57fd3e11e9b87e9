import { readonly, ref } from 'vue';
import { apolloClient } from '@/graphql/client';
import { CurrentUserDocument, type CurrentUserQuery } from '@/graphql/generated';

export type SessionUser = NonNullable<CurrentUserQuery['me']>;

const user = ref<SessionUser | null>(null);
const unknown = ref(false);
let loaded: Promise<SessionUser | null> | undefined;

/** Who is logged in, for templates; null for an anonymous visitor. */
export const currentUser = readonly(user);

/** True when the server could not be asked who is logged in (it is unreachable). */
export const sessionUnknown = readonly(unknown);

/**
 * Asks the server once who the cookie belongs to. When the server cannot answer the
 * session stays unknown (never "anonymous": that would jump to the login page) and is
 * asked again on the next navigation.
 */
export function loadSession(): Promise<SessionUser | null> {
  loaded ??= apolloClient
    .query({ query: CurrentUserDocument, fetchPolicy: 'network-only' })
    .then(({ data }) => {
      unknown.value = false;
      return (user.value = data.me ?? null);
    })
    .catch(() => {
      loaded = undefined;
      unknown.value = true;
      return user.value;
    });
  return loaded;
}

export function signedIn(sessionUser: SessionUser): void {
  apolloClient.writeQuery({ query: CurrentUserDocument, data: { me: sessionUser } });
  user.value = sessionUser;
  unknown.value = false;
  loaded = Promise.resolve(sessionUser);
}

/** The profile changed: the shell shows the new name. */
export function sessionUserChanged(changes: Partial<SessionUser>): void {
  if (user.value) signedIn({ ...user.value, ...changes });
}

/** Forgets everything cached for the previous user. */
export async function signedOut(): Promise<void> {
  user.value = null;
  loaded = Promise.resolve(null);
  await apolloClient.clearStore();
}
