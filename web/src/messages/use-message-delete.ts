import { ref } from 'vue';
import { useMutation } from '@vue/apollo-composable';
import { useConfirm } from 'primevue/useconfirm';
import { useToast } from 'primevue/usetoast';
import { DeleteMessageDocument } from '@/graphql/generated';
import { apiProblem } from '@/graphql/errors';
import { forgetMessageLists } from './message-lists';

interface MessageRef {
  id: string;
  subject: string;
}

/**
 * Delete a message after a confirmation. The server refuses while mailings send it
 * (CONFLICT, naming how many): that refusal is shown as a warning that stays long enough to
 * read. `busy` holds the id being deleted; `deleted` runs after a success, `refused` after
 * a refusal (e.g. to refresh the counts on screen).
 */
export function useMessageDelete(hooks: { deleted?: () => unknown; refused?: () => unknown } = {}) {
  const confirm = useConfirm();
  const toast = useToast();
  const busy = ref<string | null>(null);
  const { mutate } = useMutation(DeleteMessageDocument, { update: forgetMessageLists });

  async function remove(message: MessageRef): Promise<void> {
    busy.value = message.id;
    try {
      await mutate({ id: message.id });
      toast.add({ severity: 'success', summary: 'Message deleted', detail: message.subject, life: 4000 });
      await hooks.deleted?.();
    } catch (error) {
      const problem = apiProblem(error);
      if (problem.code === 'CONFLICT') {
        toast.add({ severity: 'warn', summary: `“${message.subject}” is still in use`, detail: problem.message, life: 12000 });
        await hooks.refused?.();
      } else if (problem.code !== 'NETWORK_ERROR') {
        toast.add({ severity: 'error', summary: 'Message not deleted', detail: problem.message, life: 8000 });
      }
    } finally {
      busy.value = null;
    }
  }

  function confirmDelete(message: MessageRef): void {
    confirm.require({
      header: 'Delete message?',
      message: `“${message.subject}” will be deleted. This cannot be undone.`,
      icon: 'pi pi-exclamation-triangle',
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      acceptProps: { label: 'Delete', icon: 'pi pi-trash', severity: 'danger' },
      accept: () => void remove(message),
    });
  }

  return { busy, confirmDelete };
}
