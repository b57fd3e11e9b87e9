import { MailingStatus } from '../mailings/mailing.entity';

/** What happens to a mailing that moves its status. */
export type MailingEvent =
  /** A run opened (scheduled start, send now or the CLI). */
  | 'runOpened'
  /** A run closed with every delivery sent: the mailing was sent in full and nothing more is planned. */
  | 'runSucceeded'
  /** A run closed with some deliveries failed or uncertain: it stays active until its end (send now retries). */
  | 'runFailed'
  /** Its end time passed. */
  | 'endReached';

/** The one place for mailing status transitions (SPEC: CREATED -> RUNNING -> FINISHED). */
export function nextStatus(current: MailingStatus, event: MailingEvent): MailingStatus {
  if (current === MailingStatus.FINISHED) return current;
  switch (event) {
    case 'runOpened':
    case 'runFailed':
      return MailingStatus.RUNNING;
    case 'runSucceeded':
    case 'endReached':
      return MailingStatus.FINISHED;
  }
}

export interface RunnableMailing {
  status: MailingStatus;
  disabled: boolean;
  startAt: Date;
  endAt: Date;
}

/** Why a new run may not open now, or null when it may. */
export function runRefusal(mailing: RunnableMailing, hasOpenRun: boolean, now = new Date()): string | null {
  if (mailing.disabled) return 'This mailing is disabled: a manager has to enable it before it can be sent.';
  if (hasOpenRun) return 'This mailing is already being sent.';
  if (mailing.status === MailingStatus.FINISHED) return 'This mailing has finished; create a new mailing to send again.';
  if (now.getTime() >= mailing.endAt.getTime()) return 'The end time of this mailing has passed.';
  return null;
}
