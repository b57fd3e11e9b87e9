import type { AddressInfo, Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** How the server treats one recipient's message. */
export interface FaultRule {
  /** Reply to RCPT TO with this code (451: try later, 550: no such user). */
  rcpt?: number;
  /** Reply to the message data with this code. */
  data?: number;
  /** Read the whole message, then drop the connection without answering. */
  dropAfterData?: boolean;
  /** Wait this long before answering RCPT TO. */
  rcptDelayMs?: number;
  /** Wait this long before answering the message data (instead of the server-wide delayMs). */
  dataDelayMs?: number;
}

export interface ReceivedMail {
  to: string;
  messageId: string;
  subject: string;
  raw: string;
  /** When the server had read the whole message (ms since epoch). */
  at: number;
  /** The connection was dropped instead of answering: the client cannot know it arrived. */
  dropped: boolean;
}

/** A real SMTP server in-process that a test can make slow, refuse, fail or drop. */
export interface FaultySmtp {
  url: string;
  port: number;
  /** Every message the server read in full, dropped ones included. */
  received: ReceivedMail[];
  /** Decides how each recipient is treated; `tries` is 1 on their first RCPT TO. */
  rules: (to: string, tries: number) => FaultRule | undefined;
  /** Waits this long before answering each message. */
  delayMs: number;
  countFor(to: string): number;
  /** Refuses connections (the listener closes, open connections drop) until up(). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

type ConnectionList = Set<{ id: string; _socket: Socket }>;

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

export async function startFaultySmtp(): Promise<FaultySmtp> {
  const rcptTries = new Map<string, number>();
  let server: SMTPServer | undefined;
  let port = 0;

  const drop = (session: SMTPServerSession) => {
    for (const connection of (server as unknown as { connections: ConnectionList }).connections) {
      if (connection.id === session.id) connection._socket.destroy();
    }
  };

  const sink: FaultySmtp = {
    url: '',
    port: 0,
    received: [],
    rules: () => undefined,
    delayMs: 0,
    countFor: (to) => sink.received.filter((m) => m.to === to).length,
    async down() {
      const current = server;
      server = undefined;
      if (!current) return;
      for (const connection of (current as unknown as { connections: ConnectionList }).connections) connection._socket.destroy();
      await new Promise<void>((resolve) => current.server.close(() => resolve()));
    },
    async up() {
      server = createServer();
      await new Promise<void>((resolve, reject) => {
        server!.server.once('error', reject);
        server!.listen(port, '127.0.0.1', () => resolve());
      });
      port = (server.server.address() as AddressInfo).port;
    },
    close: () => sink.down(),
  };

  function createServer(): SMTPServer {
    const created: SMTPServer = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const to = address.address.toLowerCase();
        const tries = (rcptTries.get(to) ?? 0) + 1;
        rcptTries.set(to, tries);
        const rule = sink.rules(to, tries);
        const code = rule?.rcpt;
        const answer = () => callback(code ? smtpError(code, code >= 500 ? 'No such user here' : 'Mailbox busy, try again later') : undefined);
        if (rule?.rcptDelayMs) setTimeout(answer, rule.rcptDelayMs);
        else answer();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const to = session.envelope.rcptTo[0]?.address.toLowerCase() ?? '';
          const rule = sink.rules(to, rcptTries.get(to) ?? 1);
          const mail: ReceivedMail = {
            to,
            raw,
            subject: /^Subject: (.*)$/im.exec(raw)?.[1] ?? '',
            messageId: /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '',
            at: Date.now(),
            dropped: Boolean(rule?.dropAfterData),
          };
          if (rule?.data && rule.data >= 400) return callback(smtpError(rule.data, 'Message refused'));
          sink.received.push(mail);
          if (rule?.dropAfterData) return drop(session);
          setTimeout(() => callback(), rule?.dataDelayMs ?? sink.delayMs);
        });
      },
    });
    created.on('error', () => undefined);
    return created;
  }

  await sink.up();
  sink.port = port;
  sink.url = `smtp://127.0.0.1:${port}`;
  return sink;
}
