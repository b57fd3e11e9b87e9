import { MessageFormat } from '../messages/message.entity';
import { htmlToText } from '../messages/message-text';
import { fillPlaceholders, type PlaceholderValues } from '../rules/messages';
import { unsubscribeHeaders, type UnsubscribeLinks } from '../unsubscribe/unsubscribe-links';
import type { OutgoingMessage } from './smtp-transport';

/** The subject, body and format of an attempt, as they were when it opened (placeholders not yet filled in). */
export interface AttemptContent {
  subject: string;
  body: string;
  format: MessageFormat;
}

/** A header value never spans lines, whatever a recipient's name holds. */
export function personalizeHeader(template: string, recipient: PlaceholderValues): string {
  return fillPlaceholders(template, recipient).replace(/[\r\n]+/g, ' ');
}

/** The body one recipient gets: plain text, or HTML (values escaped) with a text part made from it. */
function personalizeBody(content: AttemptContent, recipient: PlaceholderValues): Pick<OutgoingMessage, 'text' | 'html'> {
  if (content.format !== MessageFormat.HTML) return { text: fillPlaceholders(content.body, recipient) };
  const html = fillPlaceholders(content.body, recipient, 'HTML');
  return { html, text: htmlToText(html) };
}

/** The message one recipient gets, with their unsubscribe headers and `{{unsubscribeUrl}}` when `unsubscribe` is given. */
export function composeMessage(
  content: AttemptContent,
  recipient: PlaceholderValues & { messageId: string },
  from: string,
  unsubscribe?: UnsubscribeLinks,
): OutgoingMessage {
  const values = { ...recipient, unsubscribeUrl: unsubscribe?.url };
  return {
    from,
    to: { name: recipient.fullName, address: recipient.email },
    subject: personalizeHeader(content.subject, values),
    ...personalizeBody(content, values),
    messageId: recipient.messageId,
    ...(unsubscribe && unsubscribeHeaders(unsubscribe)),
  };
}
