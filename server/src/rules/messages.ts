import { z } from 'zod';
import { EMAIL_MAX_LENGTH } from './accounts';

export const SUBJECT_MAX = 300;
export const BODY_MAX = 100_000;
export const FROM_NAME_MAX = 100;
const NOT_BLANK = /\S/;

/** An email address, or '' for the default. */
const optionalEmail = (label: string) =>
  z
    .string()
    .trim()
    .max(EMAIL_MAX_LENGTH, `${label} is at most ${EMAIL_MAX_LENGTH} characters.`)
    .refine((value) => value === '' || z.email().safeParse(value).success, `${label} must be an email address, or empty for the default.`);

/** TEXT: the body is plain text. HTML: the body is HTML, sent with a plain-text part made from it. */
export const MESSAGE_FORMATS = ['TEXT', 'HTML'] as const;
export type MessageFormatName = (typeof MESSAGE_FORMATS)[number];

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
  format: z.enum(MESSAGE_FORMATS, 'Format is TEXT or HTML.'),
  // The sender: empty means the default (the owner's name, the server's address, the owner's email).
  fromName: z
    .string()
    .trim()
    .max(FROM_NAME_MAX, `From name is at most ${FROM_NAME_MAX} characters.`)
    .regex(/^[^\p{Cc}]*$/u, 'From name cannot hold line breaks or control characters.')
    .optional(),
  fromAddress: optionalEmail('From address').optional(),
  replyTo: optionalEmail('Reply-To').optional(),
});

/** Whether a message may send from `address`: its domain is one the server allows (MAIL_FROM_DOMAINS), or MAIL_FROM's own address. */
export function fromAddressAllowed(address: string, sender: { address: string; allowedDomains: readonly string[] }): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return address.toLowerCase() === sender.address.toLowerCase() || sender.allowedDomains.includes(domain);
}

/** The placeholders a message body may use, filled in per recipient. */
export const MESSAGE_PLACEHOLDERS = ['{{fullName}}', '{{email}}', '{{unsubscribeUrl}}'] as const;

/** What a message's placeholders are filled with: one recipient's fields, and their unsubscribe link once it is known. */
export interface PlaceholderValues {
  email: string;
  fullName: string;
  /** Known when the message is sent; without it `{{unsubscribeUrl}}` stays as written (the editor's preview). */
  unsubscribeUrl?: string;
}

const PLACEHOLDER = /\{\{\s*(fullName|email|unsubscribeUrl)\s*\}\}/g;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text as HTML text: no markup of its own. */
export const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * Fills `{{fullName}}`, `{{email}}` and `{{unsubscribeUrl}}` in (one without a value stays as
 * written); other text, other braces included, stays as written. In an HTML body the values
 * are escaped, so a name is text, never markup.
 * Sending and the editor's preview both use it, so the preview shows what is sent.
 */
export function fillPlaceholders(template: string, values: PlaceholderValues, format: MessageFormatName = 'TEXT'): string {
  const fill = format === 'HTML' ? escapeHtml : (value: string) => value;
  return template.replace(PLACEHOLDER, (written, name: keyof PlaceholderValues) => {
    const value = values[name];
    return value === undefined ? written : fill(value);
  });
}
