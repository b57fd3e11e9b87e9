import { MailingStatus } from './mailing.entity';

/*
 * Every status rule of a mailing and its sending attempts (SPEC: CREATED -> RUNNING ->
 * FINISHED): how the status moves, how an attempt ends, when one may open, and what the
 * owner may still edit.
 */

/** What happens to a mailing that moves its status. */
export type MailingEvent =
  /** An attempt opened (scheduled start, send now, a retry of failed deliveries or the CLI). */
  | 'attemptOpened'
  /** An attempt closed with every delivery sent (or skipped: unsubscribed, deleted): the mailing was sent in full and nothing more is planned. */
  | 'attemptSucceeded'
  /** An attempt closed with some deliveries failed or uncertain: it stays active until its end (send now retries). */
  | 'attemptFailed'
  /** Its end time passed. */
  | 'endReached';

/** The status a mailing moves to; FINISHED is final. */
export function nextStatus(current: MailingStatus, event: MailingEvent): MailingStatus {
  if (current === MailingStatus.FINISHED) return current;
  switch (event) {
    case 'attemptOpened':
    case 'attemptFailed':
      return MailingStatus.RUNNING;
    case 'attemptSucceeded':
    case 'endReached':
      return MailingStatus.FINISHED;
  }
}

/**
 * How an attempt ends once none of its deliveries is open (PENDING or SENDING); null while some are.
 * It succeeded when each delivery was sent or skipped (its recipient unsubscribed or was deleted: nobody is left to send to).
 */
export function attemptEnd(counts: {
  total: number;
  sent: number;
  skipped: number;
  pending: number;
  sending: number;
}): 'attemptSucceeded' | 'attemptFailed' | null {
  if (counts.pending + counts.sending > 0) return null;
  return counts.sent + counts.skipped === counts.total ? 'attemptSucceeded' : 'attemptFailed';
}

/** What holds a mailing's sending back without changing its plan: its owner paused it, a manager disabled it, or its owner is blocked. */
export interface SendingHolds {
  paused: boolean;
  disabled: boolean;
  ownerBlocked: boolean;
}

/** Whether nothing of the mailing may go out now; its schedule stays and sending resumes once the holds are lifted. */
export function sendingHeld(mailing: SendingHolds): boolean {
  return mailing.paused || mailing.disabled || mailing.ownerBlocked;
}

/** Why the owner may not pause (or resume) the mailing now, or null when they may. */
export function pauseRefusal(mailing: { status: MailingStatus }): string | null {
  return mailing.status === MailingStatus.FINISHED ? 'This mailing has finished: there is nothing left to pause or resume.' : null;
}

export interface SendableMailing extends SendingHolds {
  status: MailingStatus;
  endAt: Date;
}

/** Why a new attempt may not open now, or null when it may. */
export function attemptRefusal(mailing: SendableMailing, hasOpenAttempt: boolean, now: Date): string | null {
  if (mailing.disabled) return 'This mailing is disabled: a manager has to enable it before it can be sent.';
  if (mailing.ownerBlocked) return "This mailing's owner is blocked: it sends again once the account is unblocked.";
  if (mailing.paused) return 'This mailing is paused: resume it to send.';
  if (hasOpenAttempt) return 'This mailing is already being sent.';
  if (mailing.status === MailingStatus.FINISHED) return 'This mailing has finished; create a new mailing to send again.';
  if (now.getTime() >= mailing.endAt.getTime()) return 'The end time of this mailing has passed.';
  return null;
}

/** Why an attempt that would have no deliveries is refused: nobody to send to (unsubscribed recipients are left out), or everybody has it. */
export function nothingToSendRefusal(status: MailingStatus, unsubscribed: number): string {
  if (unsubscribed > 0) {
    const them = unsubscribed === 1 ? '1 recipient has' : `${unsubscribed} recipients have`;
    return status === MailingStatus.CREATED
      ? `This mailing has nobody to send to: ${them} unsubscribed.`
      : `Every recipient of this mailing has received it already, or unsubscribed (${them}).`;
  }
  return status === MailingStatus.CREATED
    ? 'This mailing has no recipients.'
    : 'Every recipient of this mailing has received it already.';
}

/** The parts of a mailing its owner can change. */
export type MailingField = 'startAt' | 'endAt' | 'messageId' | 'recipientIds';

/**
 * What may still change in each status. Once a mailing has gone out, its start and
 * its message are history (reports refer to them); its end and audience still steer
 * the attempts to come. A finished mailing is final: create a new one instead.
 */
const EDITABLE: Record<MailingStatus, readonly MailingField[]> = {
  [MailingStatus.CREATED]: ['startAt', 'endAt', 'messageId', 'recipientIds'],
  [MailingStatus.RUNNING]: ['endAt', 'recipientIds'],
  [MailingStatus.FINISHED]: [],
};

const EDIT_REFUSAL: Record<MailingStatus, string> = {
  [MailingStatus.CREATED]: '',
  [MailingStatus.RUNNING]: 'This mailing is already sending: only its end time and recipients can still change.',
  [MailingStatus.FINISHED]: 'This mailing has finished and can no longer be changed; create a new mailing instead.',
};

export type EditVerdict = { allowed: true } | { allowed: false; field: MailingField; reason: string };

/** Whether a mailing in its current status may take these changes. */
export function canEdit(mailing: { status: MailingStatus }, changes: readonly MailingField[]): EditVerdict {
  const locked = changes.find((field) => !EDITABLE[mailing.status].includes(field));
  return locked ? { allowed: false, field: locked, reason: EDIT_REFUSAL[mailing.status] } : { allowed: true };
}

/** The fields a mailing's owner may change now (for forms that grey out the rest). */
export function editableFields(mailing: { status: MailingStatus }): readonly MailingField[] {
  return EDITABLE[mailing.status];
}
