import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the sink read it: its (first) recipient, lower-cased, and when it had it whole (ms since epoch). */
export interface Arrival {
  to: string;
  at: number;
}

export interface Sink {
  url: string;
  /** Messages received so far (as last reported by the sink's process: a few milliseconds behind at most). */
  count(): number;
  /** Every message received, when `keepArrivals` was set (else empty). */
  arrivals: Arrival[];
  close(): Promise<void>;
  /** The sink's process (absent when it runs in the bench's). */
  pid?: number;
}

export interface SinkOptions {
  /** Each answer to a message is held this long. */
  answerDelayMs?: number;
  /** Note who each message was for and when it arrived. */
  keepArrivals?: boolean;
}

/** What the sink's process tells the bench. */
type SinkNews = { kind: 'listening'; port: number } | { kind: 'received'; count: number; arrivals: Arrival[] } | { kind: 'closed' };

/**
 * An SMTP server that accepts every message and counts it; `answerDelayMs` holds each answer
 * that long, and `keepArrivals` notes who each message was for and when it arrived.
 *
 * It runs in a child process of its own, as a real mail server would: in the bench's process
 * its event loop was shared with the load the bench generates (bench:mixed), and its parsing
 * with the bench's own work. The child reports its count (and arrivals) to the bench once per
 * turn of its event loop in which messages arrived. BENCH_SINK=in-process keeps it in the
 * bench's process, as it was, to compare.
 */
export async function startSink({ answerDelayMs = 0, keepArrivals = false }: SinkOptions = {}): Promise<Sink> {
  if (process.env.BENCH_SINK === 'in-process') return startSinkInProcess(answerDelayMs, keepArrivals);
  const child = fork(__filename, ['--sink', String(answerDelayMs), String(keepArrivals)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let received = 0;
  const arrivals: Arrival[] = [];
  let closed: (() => void) | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the SMTP sink exited (${code}) before listening`)));
    child.on('message', (news: SinkNews) => {
      if (news.kind === 'listening') resolve(news.port);
      else if (news.kind === 'received') {
        received = news.count;
        for (const arrival of news.arrivals) arrivals.push(arrival);
      } else closed?.();
    });
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    pid: child.pid,
    count: () => received,
    arrivals,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Everything the sink received is reported before 'closed' (one IPC channel, in order).
      await new Promise<void>((resolve) => {
        closed = resolve;
        child.send('close');
      });
      await exited;
    },
  };
}

/** The SMTP server itself; `received` is called for each message once it has it whole. */
function sinkServer(answerDelayMs: number, received: (to: string) => void): SMTPServer {
  return new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Its reverse DNS lookup of each new connection is the sink's cost, not the sender's.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      stream.on('end', () => {
        received(session.envelope.rcptTo[0]?.address.toLowerCase() ?? '');
        if (answerDelayMs > 0) setTimeout(callback, answerDelayMs);
        else callback();
      });
      stream.resume();
    },
  });
}

/** BENCH_SINK=in-process: the sink as it was before it had a process of its own, to compare. */
async function startSinkInProcess(answerDelayMs: number, keepArrivals: boolean): Promise<Sink> {
  let received = 0;
  const arrivals: Arrival[] = [];
  const server = sinkServer(answerDelayMs, (to) => {
    received++;
    if (keepArrivals) arrivals.push({ to, at: Date.now() });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    count: () => received,
    arrivals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The sink's own process. */
function runSink(answerDelayMs: number, keepArrivals: boolean): void {
  const send = (news: SinkNews) => process.send!(news);
  let received = 0;
  let reported = 0;
  let fresh: Arrival[] = [];
  let reporting = false;
  const report = () => {
    reporting = false;
    if (received === reported) return;
    reported = received;
    send({ kind: 'received', count: received, arrivals: fresh });
    fresh = [];
  };
  const server = sinkServer(answerDelayMs, (to) => {
    received++;
    if (keepArrivals) fresh.push({ to, at: Date.now() });
    if (!reporting) {
      reporting = true;
      setImmediate(report);
    }
  });
  server.listen(0, '127.0.0.1', () => send({ kind: 'listening', port: (server.server.address() as AddressInfo).port }));
  process.on('message', (message) => {
    if (message !== 'close') return;
    server.close(() => {
      report();
      send({ kind: 'closed' });
      process.disconnect();
    });
  });
  // The bench is gone: so is its sink.
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module && process.argv[2] === '--sink') runSink(Number(process.argv[3]), process.argv[4] === 'true');
