import { ref } from 'vue';
import { useRouter } from 'vue-router';
import { useMutation } from '@vue/apollo-composable';
import { useToast } from 'primevue/usetoast';
import { LogoutDocument } from '@/graphql/generated';
import { apiProblem } from '@/graphql/errors';
import { signedOut } from '@/auth/session';

/** Ends the session on the server, forgets the cached data and goes to the login page. */
export function useLogout() {
  const router = useRouter();
  const toast = useToast();
  const { mutate: logout } = useMutation(LogoutDocument);
  const loggingOut = ref(false);

  async function logOut() {
    loggingOut.value = true;
    try {
      await logout();
    } catch (error) {
      const problem = apiProblem(error);
      // An expired session is as good as logged out; anything else keeps the cookie alive.
      if (problem.code !== 'UNAUTHENTICATED') {
        toast.add({ severity: 'error', summary: 'Not logged out', detail: problem.message, life: 8000 });
        return;
      }
    } finally {
      loggingOut.value = false;
    }
    await signedOut();
    await router.replace({ name: 'login' });
  }

  return { logOut, loggingOut };
}
