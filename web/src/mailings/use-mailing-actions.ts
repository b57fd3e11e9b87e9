import { ref } from 'vue';
import { useMutation } from '@vue/apollo-composable';
import { useConfirm } from 'primevue/useconfirm';
import { useToast } from 'primevue/usetoast';
import {
  DeleteMailingDocument,
  DisableMailingDocument,
  EnableMailingDocument,
  RetryFailedDeliveriesDocument,
  SendMailingNowDocument,
} from '@/graphql/generated';
import { apiProblem } from '@/graphql/errors';

/** What the actions need to know of a mailing (a list row or the mailing page). */
export interface MailingRef {
  id: string;
  message: { subject: string };
  recipientCount: number;
}

const count = new Intl.NumberFormat();

/** A run whose failed deliveries can be sent again. */
export interface FailedRunRef {
  attemptId: string;
  failed: number;
}

/**
 * Send now, retry failed, delete (owners) and disable/enable (managers, admins) with their confirmations
 * and toasts, shared by the list and the mailing page. `busy` holds the id being acted on;
 * `changed` runs after a success (e.g. a refetch).
 */
export function useMailingActions(changed: (action: 'sent' | 'retried' | 'deleted' | 'disabled' | 'enabled') => void | Promise<unknown>) {
  const confirm = useConfirm();
  const toast = useToast();
  const busy = ref<string | null>(null);
  const { mutate: sendNowMutation } = useMutation(SendMailingNowDocument);
  const { mutate: retryMutation } = useMutation(RetryFailedDeliveriesDocument);
  const { mutate: deleteMutation } = useMutation(DeleteMailingDocument);
  const { mutate: disableMutation } = useMutation(DisableMailingDocument);
  const { mutate: enableMutation } = useMutation(EnableMailingDocument);

  async function run(mailing: MailingRef, failure: string, work: () => Promise<unknown>, done: () => void): Promise<void> {
    busy.value = mailing.id;
    try {
      await work();
      done();
    } catch (error) {
      const problem = apiProblem(error);
      // A network failure is shown by the app-wide banner; a CONFLICT says why it cannot happen now.
      if (problem.code !== 'NETWORK_ERROR') {
        toast.add({ severity: problem.code === 'CONFLICT' ? 'warn' : 'error', summary: failure, detail: problem.message, life: 10000 });
      }
    } finally {
      busy.value = null;
    }
  }

  function sendNow(mailing: MailingRef): void {
    confirm.require({
      header: 'Send now?',
      message: `“${mailing.message.subject}” goes out now to every one of its ${count.format(mailing.recipientCount)} recipients who has not received it yet.`,
      icon: 'pi pi-send',
      acceptProps: { label: 'Send now', icon: 'pi pi-send' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () =>
        void run(
          mailing,
          'Not sent',
          () => sendNowMutation({ id: mailing.id }),
          () => {
            toast.add({ severity: 'success', summary: 'Sending started', detail: mailing.message.subject, life: 4000 });
            void changed('sent');
          },
        ),
    });
  }

  function retryFailed(mailing: MailingRef, attempt: FailedRunRef): void {
    const whom = attempt.failed === 1 ? 'the 1 recipient' : `the ${count.format(attempt.failed)} recipients`;
    confirm.require({
      header: 'Retry failed deliveries?',
      message: `Send again to ${whom} whose delivery failed? “${mailing.message.subject}” goes out to them in a new run.`,
      icon: 'pi pi-replay',
      acceptProps: { label: 'Retry failed', icon: 'pi pi-replay' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () =>
        void run(
          mailing,
          'Not sent again',
          () => retryMutation({ attemptId: attempt.attemptId }),
          () => {
            toast.add({ severity: 'success', summary: 'Sending again', detail: `“${mailing.message.subject}” to ${whom} whose delivery failed`, life: 4000 });
            void changed('retried');
          },
        ),
    });
  }

  function remove(mailing: MailingRef): void {
    confirm.require({
      header: 'Delete this mailing?',
      message: `“${mailing.message.subject}” and its reports will be deleted, and nothing more is sent. This cannot be undone.`,
      icon: 'pi pi-exclamation-triangle',
      acceptProps: { label: 'Delete', icon: 'pi pi-trash', severity: 'danger' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () =>
        void run(
          mailing,
          'Not deleted',
          () => deleteMutation({ id: mailing.id }),
          () => {
            toast.add({ severity: 'success', summary: 'Mailing deleted', detail: mailing.message.subject, life: 4000 });
            void changed('deleted');
          },
        ),
    });
  }

  function setDisabled(mailing: MailingRef, disabled: boolean): void {
    if (!disabled) {
      void run(
        mailing,
        'Not enabled',
        () => enableMutation({ id: mailing.id }),
        () => {
          toast.add({ severity: 'success', summary: 'Mailing enabled', detail: mailing.message.subject, life: 4000 });
          void changed('enabled');
        },
      );
      return;
    }
    confirm.require({
      header: 'Disable this mailing?',
      message: `Nothing more of “${mailing.message.subject}” is sent until it is enabled again. Mail already handed to the mail server still arrives.`,
      icon: 'pi pi-ban',
      acceptProps: { label: 'Disable', icon: 'pi pi-ban', severity: 'warn' },
      rejectProps: { label: 'Cancel', severity: 'secondary', outlined: true },
      accept: () =>
        void run(
          mailing,
          'Not disabled',
          () => disableMutation({ id: mailing.id }),
          () => {
            toast.add({ severity: 'success', summary: 'Mailing disabled', detail: mailing.message.subject, life: 4000 });
            void changed('disabled');
          },
        ),
    });
  }

  return { busy, sendNow, retryFailed, remove, setDisabled };
}
