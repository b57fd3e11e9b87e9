import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface SinkMail {
  /** The envelope's recipient, lower-cased. */
  to: string;
  /** When the whole message was read (ms since epoch). */
  at: number;
}

export interface SmtpSink {
  url: string;
  received: SinkMail[];
  close(): Promise<void>;
}

/** An SMTP server that accepts everything, answering each message after `delayMs`, and notes what arrived when. */
export async function startSmtpSink({ delayMs = 0 } = {}): Promise<SmtpSink> {
  const received: SinkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Its reverse DNS lookup of each new connection would count in the lag.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo[0]?.address.toLowerCase() ?? '', at: Date.now() });
        if (delayMs > 0) setTimeout(() => callback(), delayMs);
        else callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
