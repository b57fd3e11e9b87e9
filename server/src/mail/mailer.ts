import nodemailer from 'nodemailer';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import { startLocalCatcher, type LocalCatcher } from './local-catcher';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

/** Sends the service's own mail (verification, password reset). Mailings use sending/transport. */
export interface Mailer {
  /** The SMTP URL in use: SMTP_URL, or the local catcher's. */
  smtpUrl: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

export async function createMailer(config: Config, logger: Logger): Promise<Mailer> {
  let catcher: LocalCatcher | undefined;
  let smtpUrl = config.SMTP_URL;
  if (!smtpUrl) {
    catcher = await startLocalCatcher(config.LOCAL_SMTP_PORT, logger);
    smtpUrl = catcher.url;
  }
  const transport = nodemailer.createTransport(smtpUrl, {
    connectionTimeout: config.SMTP_CONNECTION_TIMEOUT_MS,
    greetingTimeout: config.SMTP_GREETING_TIMEOUT_MS,
    socketTimeout: config.SMTP_SOCKET_TIMEOUT_MS,
    dkim: config.DKIM,
  } as object);
  return {
    smtpUrl,
    async send(mail) {
      await transport.sendMail({ from: config.MAIL_FROM, ...mail });
    },
    async close() {
      transport.close();
      await catcher?.close();
    },
  };
}
