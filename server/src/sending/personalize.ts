import { MessageFormat } from '../messages/message.entity';
import { htmlToText } from '../messages/message-text';
import type { SenderSettings } from '../config';
import { fillPlaceholders, fromAddressAllowed, type PlaceholderValues } from '../rules/messages';
import { unsubscribeHeaders, type UnsubscribeLinks } from '../unsubscribe/unsubscribe-links';
import type { MailAddress, OutgoingMessage, TextEncoding } from './smtp-transport';

/** What an attempt sends, as it was when it opened (placeholders not yet filled in). */
export interface AttemptContent {
  subject: string;
  body: string;
  format: MessageFormat;
  /** '': MAIL_FROM's name. */
  fromName: string;
  /** null: MAIL_FROM's address. */
  fromAddress: string | null;
  /** '': no Reply-To. */
  replyTo: string;
}

/**
 * The From of an attempt's messages: its name and own address, MAIL_FROM's for what it has
 * not. An own address whose domain the server no longer allows falls back to MAIL_FROM's.
 */
export function senderOf(content: AttemptContent, server: SenderSettings): Pick<OutgoingMessage, 'from' | 'replyTo'> {
  const ownAddress = content.fromAddress && fromAddressAllowed(content.fromAddress, server) ? content.fromAddress : null;
  const from: MailAddress = { name: content.fromName || server.name, address: ownAddress ?? server.address };
  return content.replyTo ? { from, replyTo: { name: from.name, address: content.replyTo } } : { from };
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

/**
 * How nodemailer would encode the body's text (its rule: quoted-printable when Latin letters
 * outnumber other non-ASCII and control characters, else base64), decided once per attempt
 * rather than by scanning every message's body twice as it otherwise does.
 */
export function textEncodingOf(body: string): TextEncoding {
  let latin = 0;
  let other = 0;
  for (let i = 0; i < body.length; i++) {
    const code = body.charCodeAt(i);
    if ((code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)) latin++;
    else if (code >= 0x80 || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d)) other++;
  }
  return other < latin ? 'quoted-printable' : 'base64';
}

const textEncodings = new WeakMap<AttemptContent, TextEncoding>();
function textEncodingOfAttempt(content: AttemptContent): TextEncoding {
  let encoding = textEncodings.get(content);
  if (!encoding) textEncodings.set(content, (encoding = textEncodingOf(content.body)));
  return encoding;
}

/** The message one recipient gets, with their unsubscribe headers and `{{unsubscribeUrl}}` when `unsubscribe` is given. */
export function composeMessage(
  content: AttemptContent,
  recipient: PlaceholderValues & { id: string; messageId: string },
  server: SenderSettings,
  unsubscribe?: UnsubscribeLinks,
): OutgoingMessage {
  const values = { ...recipient, unsubscribeUrl: unsubscribe?.url };
  return {
    ...senderOf(content, server),
    to: { name: recipient.fullName, address: recipient.email },
    subject: personalizeHeader(content.subject, values),
    ...personalizeBody(content, values),
    messageId: recipient.messageId,
    boundaryId: recipient.id.replaceAll('-', ''),
    textEncoding: textEncodingOfAttempt(content),
    ...(unsubscribe && unsubscribeHeaders(unsubscribe)),
  };
}
