import { z } from 'zod';

/** What one request can carry: 50,000 ids fit the 2 MB JSON body limit. */
export const MAX_RECIPIENTS = 50_000;

export const MAILING_STATUSES = ['CREATED', 'RUNNING', 'FINISHED'] as const;
export type MailingStatusName = (typeof MAILING_STATUSES)[number];

/** The parts of a mailing its owner can change. */
export type MailingField = 'startAt' | 'endAt' | 'messageId' | 'recipientIds';

export const recipientIdsRule = z
  .array(z.uuid('Every recipient id must be the id of one of your recipients.'))
  .min(1, 'Pick at least one recipient.')
  .max(MAX_RECIPIENTS, `A mailing has at most ${MAX_RECIPIENTS} recipients.`);

export const messageIdRule = z.uuid('Pick one of your messages.');

const time = (missing: string) => z.date(missing);

interface Audience {
  recipientIds?: string[];
  allRecipients: boolean;
}

/** Picked recipients (at least one) or all of them, never both; an edit may also leave the set as it is. */
function checkAudience(mailing: Audience, ctx: z.RefinementCtx, keepAllowed: boolean): void {
  if (mailing.allRecipients) {
    if (mailing.recipientIds?.length) {
      ctx.addIssue({ code: 'custom', path: ['recipientIds'], message: 'Leave the recipient list empty when the mailing goes to all your recipients.' });
    }
  } else if (mailing.recipientIds !== undefined || !keepAllowed) {
    for (const issue of recipientIdsRule.safeParse(mailing.recipientIds ?? []).error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['recipientIds', ...issue.path], message: issue.message });
    }
  }
}

function checkWindow(mailing: { startAt: Date; endAt: Date }, ctx: z.RefinementCtx): void {
  if (mailing.endAt.getTime() <= mailing.startAt.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'The end must be after the start.' });
  }
}

const mailingFields = {
  startAt: time('Pick when sending starts.'),
  endAt: time('Pick when the mailing ends.'),
  messageId: messageIdRule,
  allRecipients: z.boolean(),
};

/**
 * Runs a cross-field check once the fields it reads are valid, even when other fields are
 * not (zod skips refinements after any issue by default), so a form shows every problem at once.
 */
const once = (...fields: string[]) => ({
  when: (payload: { issues: ReadonlyArray<{ path?: ReadonlyArray<PropertyKey> }> }) =>
    payload.issues.every((issue) => !fields.includes(String(issue.path?.[0]))),
});

/**
 * The fields of a mailing. The audience is either picked recipients (at least one) or
 * `allRecipients` (then no id list); the end must come after the start.
 */
export const mailingRules = z
  .object({ ...mailingFields, recipientIds: z.array(z.string()) })
  .superRefine((mailing, ctx) => checkAudience(mailing, ctx, false), once('recipientIds', 'allRecipients'))
  .superRefine(checkWindow, once('startAt', 'endAt'));

/**
 * A mailing as an edit form holds it: like `mailingRules`, but with no `recipientIds` and
 * `allRecipients` false the recipients stay as they are (updateMailing is sent no audience).
 */
export const mailingUpdateRules = z
  .object({ ...mailingFields, recipientIds: z.array(z.string()).optional() })
  .superRefine((mailing, ctx) => checkAudience(mailing, ctx, true), once('recipientIds', 'allRecipients'))
  .superRefine(checkWindow, once('startAt', 'endAt'));

/** Whether an end time still lies ahead; checked whenever the end is set or changed. */
export function endIsInFuture(endAt: Date, now: Date = new Date()): boolean {
  return endAt.getTime() > now.getTime();
}
export const END_IN_PAST_MESSAGE = 'The end must be in the future.';

/** A new mailing: its end must also lie in the future. */
export const mailingCreateRules = mailingRules.refine((mailing) => endIsInFuture(mailing.endAt), {
  message: END_IN_PAST_MESSAGE,
  path: ['endAt'],
  ...once('endAt'),
});

/**
 * What may still change in each status. Once a mailing has gone out, its start and
 * its message are history (reports refer to them); its end and audience still steer
 * the runs to come. A finished mailing is final: create a new one instead.
 */
export const EDITABLE_FIELDS: Record<MailingStatusName, readonly MailingField[]> = {
  CREATED: ['startAt', 'endAt', 'messageId', 'recipientIds'],
  RUNNING: ['endAt', 'recipientIds'],
  FINISHED: [],
};

export const EDIT_REFUSALS: Record<MailingStatusName, string> = {
  CREATED: '',
  RUNNING: 'This mailing is already sending: only its end time and recipients can still change.',
  FINISHED: 'This mailing has finished and can no longer be changed; create a new mailing instead.',
};
