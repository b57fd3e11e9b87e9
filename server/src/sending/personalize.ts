import { fillPlaceholders, type PlaceholderValues } from '../rules/messages';
import type { OutgoingMessage } from './smtp-transport';

/** The subject and body of an attempt, as they were when it opened (placeholders not yet filled in). */
export interface AttemptContent {
  subject: string;
  body: string;
}

/** A header value never spans lines, whatever a recipient's name holds. */
export function personalizeHeader(template: string, recipient: PlaceholderValues): string {
  return fillPlaceholders(template, recipient).replace(/[\r\n]+/g, ' ');
}

/** The message one recipient gets. */
export function composeMessage(
  content: AttemptContent,
  recipient: PlaceholderValues & { messageId: string },
  from: string,
): OutgoingMessage {
  return {
    from,
    to: { name: recipient.fullName, address: recipient.email },
    subject: personalizeHeader(content.subject, recipient),
    text: fillPlaceholders(content.body, recipient),
    messageId: recipient.messageId,
  };
}
