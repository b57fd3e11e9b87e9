import { z } from 'zod';

export const SUBJECT_MAX = 300;
export const BODY_MAX = 100_000;
const NOT_BLANK = /\S/;

export const messageRules = z.object({
  subject: z
    .string()
    .min(1, `Subject is 1 to ${SUBJECT_MAX} characters.`)
    .max(SUBJECT_MAX, `Subject is 1 to ${SUBJECT_MAX} characters.`)
    .regex(NOT_BLANK, 'Subject cannot be blank.'),
  body: z
    .string()
    .min(1, 'Body cannot be empty.')
    .max(BODY_MAX, `Body is at most ${BODY_MAX} characters.`)
    .regex(NOT_BLANK, 'Body cannot be blank.'),
});

/** The placeholders a message body may use, filled in per recipient. */
export const MESSAGE_PLACEHOLDERS = ['{{fullName}}', '{{email}}'] as const;

/** What a message's placeholders are filled with: one recipient's fields. */
export interface PlaceholderValues {
  email: string;
  fullName: string;
}

const PLACEHOLDER = /\{\{\s*(fullName|email)\s*\}\}/g;

/**
 * Fills `{{fullName}}` and `{{email}}` in; other text, other braces included, stays as
 * written. Sending and the editor's preview both use it, so the preview shows what is sent.
 */
export function fillPlaceholders(template: string, values: PlaceholderValues): string {
  return template.replace(PLACEHOLDER, (_, name: keyof PlaceholderValues) => values[name]);
}
