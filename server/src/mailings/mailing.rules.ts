import { MailingStatus } from './mailing.entity';

/** The parts of a mailing its owner can change. */
export type MailingField = 'startAt' | 'endAt' | 'messageId' | 'recipientIds';

/**
 * What may still change in each status. Once a mailing has gone out, its start and
 * its message are history (reports refer to them); its end and audience still steer
 * the runs to come. A finished mailing is final: create a new one instead.
 */
const EDITABLE: Record<MailingStatus, readonly MailingField[]> = {
  [MailingStatus.CREATED]: ['startAt', 'endAt', 'messageId', 'recipientIds'],
  [MailingStatus.RUNNING]: ['endAt', 'recipientIds'],
  [MailingStatus.FINISHED]: [],
};

const REFUSAL: Record<MailingStatus, string> = {
  [MailingStatus.CREATED]: '',
  [MailingStatus.RUNNING]: 'This mailing is already sending: only its end time and recipients can still change.',
  [MailingStatus.FINISHED]: 'This mailing has finished and can no longer be changed; create a new mailing instead.',
};

export type EditVerdict = { allowed: true } | { allowed: false; field: MailingField; reason: string };

/** Whether a mailing in its current status may take these changes; the single place for editing rules. */
export function canEdit(mailing: { status: MailingStatus }, changes: readonly MailingField[]): EditVerdict {
  const locked = changes.find((field) => !EDITABLE[mailing.status].includes(field));
  return locked ? { allowed: false, field: locked, reason: REFUSAL[mailing.status] } : { allowed: true };
}

/** The fields a mailing's owner may change now (for forms that grey out the rest). */
export function editableFields(mailing: { status: MailingStatus }): readonly MailingField[] {
  return EDITABLE[mailing.status];
}
