import net, { type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { waitUntil } from './wait-until';

/** How the server treats one recipient's message; `tries` counts that recipient's RCPT TO commands from 1. */
export interface SmtpRule {
  /** Answer RCPT TO with this code (451: try later, 550: no such user). */
  rcpt?: number;
  /** Answer the message data with this code. */
  data?: number;
  /** Never answer RCPT TO: the client times out before the message went out. */
  hangAtRcpt?: boolean;
  /** Read the whole message and never answer: the client times out after handing it over. */
  hangAtData?: boolean;
  /** Read the whole message, then drop the connection without answering. */
  dropAfterData?: boolean;
  /** Read the whole message, then answer this line (no valid reply code) and nothing more on that connection. */
  garbledAnswer?: string;
  /** Accept the message with this text after the 250 code. */
  acceptWith?: string;
}

export interface ReceivedMail {
  /** The (only) recipient, lower-cased. */
  to: string;
  from: string;
  subject: string;
  messageId: string;
  raw: string;
  /** When the server had read the whole message (ms since epoch). */
  at: number;
  /** The server dropped the connection instead of answering: the client cannot know it arrived. */
  dropped: boolean;
  /** The connection it came on (the client's port), for isOpen(). */
  connection: number;
}

/**
 * The one SMTP server of the tests: real SMTP, in-process, on a port of its own. It records
 * every message it reads in full, and a test can make it refuse (4xx/5xx), hang, drop
 * connections, hold its answers until released, or be down.
 */
export interface TestSmtp {
  url: string;
  /** Every message the server read in full, held and dropped ones included, in arrival order. */
  received: ReceivedMail[];
  /** Decides how each recipient is treated; none by default. */
  rules: (to: string, tries: number) => SmtpRule | undefined;
  countFor(to: string): number;
  /** Whether the connection a message came on (ReceivedMail.connection) is still open. */
  isOpen(connection: number): boolean;
  /** Waits until `count` messages to `to` (with `subject` in their subject) have arrived; resolves with the last. */
  mailTo(to: string, opts?: { subject?: string; count?: number }): Promise<ReceivedMail>;
  /** From now on answers `after` more messages, then holds the answer to every further one until release(). */
  hold(opts?: { after?: number }): void;
  /** Answers every held message (250) and stops holding. */
  release(): void;
  /** How many messages are waiting for their answer because of hold(). */
  readonly held: number;
  /** Refuses every new connection (accepted and reset at once) and drops the open ones, until up(). */
  down(): void;
  up(): void;
  /** Connections refused while down. */
  readonly refused: number;
  /** Back to the start: no rules, nothing held, up. Recorded messages stay. */
  reset(): void;
  close(): Promise<void>;
}

const smtpError = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

export async function startTestSmtp(): Promise<TestSmtp> {
  const rcptTries = new Map<string, number>();
  /** Open connections by the client's port: the session names it, so a rule can drop its own connection. */
  const sockets = new Map<number, Socket>();
  let holding: { after: number } | null = null;
  let heldAnswers: Array<{ socket: Socket | undefined; answer: () => void }> = [];
  let isDown = false;
  let refused = 0;

  const socketOf = (session: SMTPServerSession) => sockets.get(session.remotePort);

  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      const tries = (rcptTries.get(to) ?? 0) + 1;
      rcptTries.set(to, tries);
      const rule = server.rules(to, tries);
      if (rule?.hangAtRcpt) return;
      const code = rule?.rcpt;
      callback(code ? smtpError(code, code >= 500 ? 'No such user here' : 'Mailbox busy, try again later') : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const to = session.envelope.rcptTo[0]?.address.toLowerCase() ?? '';
        const rule = server.rules(to, rcptTries.get(to) ?? 1);
        if (rule?.data) return callback(smtpError(rule.data, 'Message refused'));
        server.received.push({
          to,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          subject: /^Subject: (.*)$/im.exec(raw)?.[1] ?? '',
          messageId: /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim() ?? '',
          raw,
          at: Date.now(),
          dropped: Boolean(rule?.dropAfterData),
          connection: session.remotePort,
        });
        if (rule?.dropAfterData) return socketOf(session)?.destroy();
        if (rule?.garbledAnswer) return socketOf(session)?.write(`${rule.garbledAnswer}\r\n`);
        if (rule?.hangAtData) return;
        if (holding && holding.after <= 0) heldAnswers.push({ socket: socketOf(session), answer: () => callback() });
        else {
          if (holding) holding.after--;
          callback(null, rule?.acceptWith);
        }
      });
    },
  });
  smtp.on('error', () => undefined);

  // Connections come in through a listener of our own, so that "down" keeps the port and counts what it refuses.
  const listener = net.createServer((socket) => {
    if (isDown) {
      refused++;
      socket.resetAndDestroy();
      return;
    }
    const port = socket.remotePort ?? 0;
    sockets.set(port, socket);
    socket.once('close', () => sockets.delete(port));
    smtp.connect(socket);
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;

  const release = () => {
    const answers = heldAnswers;
    heldAnswers = [];
    holding = null;
    for (const { socket, answer } of answers) if (!socket?.destroyed) answer();
  };

  const server: TestSmtp = {
    url: `smtp://127.0.0.1:${port}`,
    received: [],
    rules: () => undefined,
    countFor: (to) => server.received.filter((m) => m.to === to.toLowerCase()).length,
    isOpen: (connection) => sockets.has(connection),
    mailTo(to, { subject = '', count = 1 } = {}) {
      return waitUntil(`mail #${count} "${subject}" to ${to}`, () => {
        const found = server.received.filter((m) => m.to === to.toLowerCase() && m.subject.includes(subject));
        return found[count - 1];
      });
    },
    hold({ after = 0 } = {}) {
      holding = { after };
    },
    release,
    get held() {
      return heldAnswers.length;
    },
    down() {
      isDown = true;
      for (const socket of sockets.values()) socket.destroy();
    },
    up() {
      isDown = false;
    },
    get refused() {
      return refused;
    },
    reset() {
      server.rules = () => undefined;
      release();
      server.up();
    },
    async close() {
      for (const socket of sockets.values()) socket.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
  return server;
}
