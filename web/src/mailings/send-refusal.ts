import { runIsOpen } from '@/ui/status';

/**
 * Why the server would refuse to open a run of a mailing now, or null when it would open one:
 * the rules of `attemptRefusal` in server/src/mailings/mailing.rules.ts, read from what the
 * mailing page shows. A page greys out "Send now" and "Retry failed" with this reason, and
 * still shows the server's own refusal should it answer otherwise.
 */
export interface SendableMailing {
  status: string;
  disabled: boolean;
  paused: boolean;
  endAt: string;
  /** The latest run: only it can still be open. */
  progress?: { status: string; failed: number } | null;
}

/** Why nothing may be sent while a hold is on the mailing (the part a list row, which knows no run state, can tell). */
export function holdRefusal(mailing: Pick<SendableMailing, 'disabled' | 'paused'>): string | null {
  if (mailing.disabled) return 'A manager has disabled this mailing.';
  if (mailing.paused) return 'This mailing is paused: resume it to send.';
  return null;
}

export function sendRefusal(mailing: SendableMailing, endPassed: boolean): string | null {
  const held = holdRefusal(mailing);
  if (held) return held;
  if (runIsOpen(mailing.progress?.status)) return 'A run is going on: wait until it has ended.';
  if (mailing.status === 'FINISHED') return 'This mailing has finished.';
  if (endPassed) return 'The end time of this mailing has passed.';
  return null;
}

/**
 * The same for "Retry failed" on the latest run, which also needs failed deliveries. The page
 * offers it on the latest run only: each run after the first (Send now, or Retry failed of
 * the run before) took over the failures of the runs before it.
 */
export function retryRefusal(mailing: SendableMailing, endPassed: boolean): string | null {
  const run = mailing.progress;
  if (!run) return 'Not sent yet.';
  if (!runIsOpen(run.status) && run.failed === 0) return 'No delivery of this run failed.';
  return sendRefusal(mailing, endPassed);
}
