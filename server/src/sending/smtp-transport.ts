import nodemailer from 'nodemailer';
import DKIM from 'nodemailer/lib/dkim';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { Config } from '../config';
import { classifyAcceptance, classifySendError, type SendOutcome } from './smtp-errors';

/** nodemailer encodes an address object's name (quotes, commas, non-ASCII) itself: names are never pasted into a header. */
export interface MailAddress {
  name: string;
  address: string;
}

export interface OutgoingMessage {
  from: MailAddress;
  replyTo?: MailAddress;
  to: MailAddress;
  subject: string;
  text: string;
  /** With `text`, the message goes out as multipart/alternative. */
  html?: string;
  messageId: string;
  /**
   * Unique to the message (its delivery's id): the shared part of its MIME boundaries, which
   * nodemailer would otherwise draw from 8 random bytes for every message (~30 µs each).
   */
  boundaryId: string;
  textEncoding: TextEncoding;
  /** List-* headers (List-Unsubscribe). */
  list?: Mail.Options['list'];
  headers?: Record<string, string>;
}

export type TextEncoding = NonNullable<Mail.Options['textEncoding']>;

/** The mailings' pooled SMTP transport; SMTP_POOL_SIZE connections per process. */
export interface MailingTransport {
  send(message: OutgoingMessage): Promise<SendOutcome>;
  close(): void;
}

/** Set once the last byte of the message was read into the SMTP connection. */
interface Handover {
  done: boolean;
  /** Closes the pooled connection that carried the message. */
  closeConnection?: () => void;
}
/** `baseBoundary` is a mail option nodemailer reads (mail-composer) but does not declare. */
type TrackedMail = Mail.Options & { handover?: Handover; baseBoundary?: string };

/**
 * The parts of nodemailer's pool (not its public API) that say which pooled connection
 * carries a message: each connection's entry holds the message while it is being sent.
 */
interface PoolInternals {
  _connections?: Array<{ queueEntry?: { mail?: unknown } | false; close(): void }>;
}

/** The pooled connection sending `mail` now, if nodemailer's pool still looks as expected. */
function connectionCarrying(pool: unknown, mail: unknown): { close(): void } | undefined {
  return (pool as PoolInternals)._connections?.find((connection) => connection.queueEntry && connection.queueEntry.mail === mail);
}

export function createMailingTransport(smtpUrl: string, config: Config): MailingTransport {
  const options: SMTPPool.Options = {
    url: smtpUrl,
    pool: true,
    maxConnections: config.SMTP_POOL_SIZE,
    maxMessages: 1000,
    connectionTimeout: config.SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: config.SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: config.SMTP_SOCKET_TIMEOUT_MS,
  } as SMTPPool.Options;
  const transport = nodemailer.createTransport(options);
  // nodemailer's `dkim` option, applied here rather than on the transport: its signer reads
  // the whole message before it writes any, so the hand-over below must watch its output.
  const dkim = config.DKIM ? new DKIM(config.DKIM) : undefined;
  // A lost connection reads the same (ECONNECTION, command CONN) before and after the
  // message went out. The message stream ends only once the server accepted DATA and
  // every byte was passed to the socket: from then on the server may have the message.
  transport.use('stream', (mail, callback) => {
    const handover = (mail.data as TrackedMail).handover;
    mail.message.processFunc((input) => {
      const stream = dkim ? dkim.sign(input) : input;
      if (handover) {
        stream.once('end', () => {
          handover.done = true;
          const connection = connectionCarrying(transport.transporter, mail);
          handover.closeConnection = connection && (() => connection.close());
        });
      }
      return stream;
    });
    callback();
  });

  return {
    async send(message) {
      const handover: Handover = { done: false };
      const { boundaryId, ...rest } = message;
      const mail: TrackedMail = { ...rest, baseBoundary: boundaryId, handover };
      let outcome: SendOutcome;
      try {
        const info = await transport.sendMail(mail);
        outcome = classifyAcceptance(String(info.response ?? ''));
      } catch (error) {
        outcome = classifySendError(error, handover.done);
      }
      // After an unreadable answer the connection's state is unknown: nodemailer would send
      // the next message (or RSET) on it and wait for a reply until the socket timeout. This
      // runs before the pool hands the connection another message (it does so a tick later).
      if (outcome.kind === 'uncertain') handover.closeConnection?.();
      return outcome;
    },
    close() {
      transport.close();
    },
  };
}
