import { computed } from 'vue';
import { useMutation } from '@vue/apollo-composable';
import { useConfirm } from 'primevue/useconfirm';
import { useToast } from 'primevue/usetoast';
import { BlockUserDocument, DeleteUserDocument, UnblockUserDocument, type UserListItemFragment } from '@/graphql/generated';
import { apiProblem } from '@/graphql/errors';
import { currentUser } from '@/auth/session';
import { userTitle } from './user-labels';

type UserRow = Pick<UserListItemFragment, 'id' | 'email' | 'fullName' | 'role' | 'blocked'>;

/**
 * What staff may do to an account, each after a confirmation: managers and admins block
 * and unblock (a manager not an admin, nobody themselves); admins also edit and delete.
 * `changed` runs after a change went through (refetch a list, leave a deleted user's page).
 */
export function useUserActions(changed: (action: 'blocked' | 'unblocked' | 'deleted', user: UserRow) => void) {
  const confirm = useConfirm();
  const toast = useToast();
  const { mutate: blockUser } = useMutation(BlockUserDocument);
  const { mutate: unblockUser } = useMutation(UnblockUserDocument);
  const { mutate: deleteUser } = useMutation(DeleteUserDocument);

  const isAdmin = computed(() => currentUser.value?.role === 'ADMIN');
  const isSelf = (user: UserRow) => user.id === currentUser.value?.id;
  const mayBlock = (user: UserRow) => !isSelf(user) && (isAdmin.value || user.role !== 'ADMIN');
  const mayEdit = () => isAdmin.value;
  const mayDelete = (user: UserRow) => isAdmin.value && !isSelf(user);

  async function run(action: () => Promise<unknown>, done: string, failed: string, after: () => void) {
    try {
      await action();
      toast.add({ severity: 'success', summary: done, life: 4000 });
      after();
    } catch (error) {
      const problem = apiProblem(error);
      if (problem.code !== 'NETWORK_ERROR') toast.add({ severity: 'error', summary: failed, detail: problem.message, life: 8000 });
    }
  }

  function block(user: UserRow) {
    confirm.require({
      header: 'Block this user?',
      message: `${userTitle(user)} is logged out at once and cannot log in until unblocked.`,
      icon: 'pi pi-ban',
      acceptProps: { label: 'Block', severity: 'danger' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () => void run(() => blockUser({ id: user.id }), `${user.email} is blocked`, 'User not blocked', () => changed('blocked', user)),
    });
  }

  function unblock(user: UserRow) {
    confirm.require({
      header: 'Unblock this user?',
      message: `${userTitle(user)} can log in again.`,
      icon: 'pi pi-lock-open',
      acceptProps: { label: 'Unblock' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () => void run(() => unblockUser({ id: user.id }), `${user.email} is unblocked`, 'User not unblocked', () => changed('unblocked', user)),
    });
  }

  function remove(user: UserRow) {
    confirm.require({
      header: 'Delete this user?',
      message: `This deletes the account of ${userTitle(user)} with all of their recipients, messages and mailings, and the reports of those mailings. It cannot be undone.`,
      icon: 'pi pi-trash',
      acceptProps: { label: `Delete ${user.email}`, severity: 'danger' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () => void run(() => deleteUser({ id: user.id }), `${user.email} is deleted`, 'User not deleted', () => changed('deleted', user)),
    });
  }

  return { isAdmin, isSelf, mayBlock, mayEdit, mayDelete, block, unblock, remove };
}
