import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../common/logger';

export interface LocalCatcher {
  url: string;
  close(): Promise<void>;
}

/**
 * With no SMTP_URL, mail goes to this in-process SMTP server, which logs each
 * message (links included) so a newcomer sees mail arrive without an account.
 */
export async function startLocalCatcher(port: number, logger: Logger): Promise<LocalCatcher> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
      simpleParser(stream)
        .then((mail) => {
          logger.info({ to, subject: mail.subject ?? '' }, `local mail catcher received a message:\n${mail.text ?? ''}`);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${actual}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
