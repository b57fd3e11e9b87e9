import type { OutgoingMessage } from './smtp-transport';

export interface RecipientFields {
  email: string;
  fullName: string;
}

/** The subject and body of an attempt, as they were when it opened (placeholders not yet filled in). */
export interface AttemptContent {
  subject: string;
  body: string;
}

const PLACEHOLDER = /\{\{\s*(fullName|email)\s*\}\}/g;

/** Fills `{{fullName}}` and `{{email}}` in; other text, other braces included, stays as written. */
export function personalize(template: string, recipient: RecipientFields): string {
  return template.replace(PLACEHOLDER, (_, name: keyof RecipientFields) => recipient[name]);
}

/** A header value never spans lines, whatever a recipient's name holds. */
export function personalizeHeader(template: string, recipient: RecipientFields): string {
  return personalize(template, recipient).replace(/[\r\n]+/g, ' ');
}

/** The message one recipient gets. */
export function composeMessage(
  content: AttemptContent,
  recipient: RecipientFields & { messageId: string },
  from: string,
): OutgoingMessage {
  return {
    from,
    to: { name: recipient.fullName, address: recipient.email },
    subject: personalizeHeader(content.subject, recipient),
    text: personalize(content.body, recipient),
    messageId: recipient.messageId,
  };
}
