import { ref } from 'vue';
import { useMutation } from '@vue/apollo-composable';
import { useConfirm } from 'primevue/useconfirm';
import { useToast } from 'primevue/usetoast';
import {
  DeleteMailingDocument,
  DisableMailingDocument,
  EnableMailingDocument,
  PauseMailingDocument,
  ResumeMailingDocument,
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

export type MailingAction = 'sent' | 'retried' | 'deleted' | 'disabled' | 'enabled' | 'paused' | 'resumed';

/**
 * Send now, retry failed, pause/resume, delete (owners) and disable/enable (managers, admins) with
 * their confirmations and toasts, shared by the list and the mailing page. `busy` holds the id
 * being acted on and `busyAction` what is being done to it; `changed` runs after a success
 * (e.g. a refetch). Pause and resume answer with the mailing, which updates it in Apollo's cache.
 */
export function useMailingActions(changed: (action: MailingAction) => void | Promise<unknown>) {
  const confirm = useConfirm();
  const toast = useToast();
  const busy = ref<string | null>(null);
  const busyAction = ref<MailingAction | null>(null);
  const { mutate: sendNowMutation } = useMutation(SendMailingNowDocument);
  const { mutate: retryMutation } = useMutation(RetryFailedDeliveriesDocument);
  const { mutate: deleteMutation } = useMutation(DeleteMailingDocument);
  const { mutate: disableMutation } = useMutation(DisableMailingDocument);
  const { mutate: enableMutation } = useMutation(EnableMailingDocument);
  const { mutate: pauseMutation } = useMutation(PauseMailingDocument);
  const { mutate: resumeMutation } = useMutation(ResumeMailingDocument);

  async function run(mailing: MailingRef, action: MailingAction, failure: string, work: () => Promise<unknown>, success: { summary: string; detail: string }): Promise<void> {
    busy.value = mailing.id;
    busyAction.value = action;
    try {
      await work();
      toast.add({ severity: 'success', ...success, life: 4000 });
      void changed(action);
    } catch (error) {
      const problem = apiProblem(error);
      // A network failure is shown by the app-wide banner; a CONFLICT says why it cannot happen now.
      if (problem.code !== 'NETWORK_ERROR') {
        toast.add({ severity: problem.code === 'CONFLICT' ? 'warn' : 'error', summary: failure, detail: problem.message, life: 10000 });
      }
    } finally {
      busy.value = null;
      busyAction.value = null;
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
          'sent',
          'Not sent',
          () => sendNowMutation({ id: mailing.id }),
          { summary: 'Sending started', detail: mailing.message.subject },
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
          'retried',
          'Not sent again',
          () => retryMutation({ attemptId: attempt.attemptId }),
          { summary: 'Sending again', detail: `“${mailing.message.subject}” to ${whom} whose delivery failed` },
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
          'deleted',
          'Not deleted',
          () => deleteMutation({ id: mailing.id }),
          { summary: 'Mailing deleted', detail: mailing.message.subject },
        ),
    });
  }

  function setDisabled(mailing: MailingRef, disabled: boolean): void {
    if (!disabled) {
      void run(
        mailing,
        'enabled',
        'Not enabled',
        () => enableMutation({ id: mailing.id }),
        { summary: 'Mailing enabled', detail: mailing.message.subject },
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
          'disabled',
          'Not disabled',
          () => disableMutation({ id: mailing.id }),
          { summary: 'Mailing disabled', detail: mailing.message.subject },
        ),
    });
  }

  /** Pausing can be undone, so it asks nothing; it answers once nothing more of the mailing is being sent. */
  function pause(mailing: MailingRef): void {
    void run(
      mailing,
      'paused',
      'Not paused',
      () => pauseMutation({ id: mailing.id }),
      { summary: 'Mailing paused', detail: `Nothing more of “${mailing.message.subject}” is sent until you resume it.` },
    );
  }

  function resume(mailing: MailingRef): void {
    void run(
      mailing,
      'resumed',
      'Not resumed',
      () => resumeMutation({ id: mailing.id }),
      { summary: 'Mailing resumed', detail: `“${mailing.message.subject}” goes on where it stopped.` },
    );
  }

  return { busy, busyAction, sendNow, retryFailed, pause, resume, remove, setDisabled };
}
