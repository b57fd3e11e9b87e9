import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the sink read it: its (first) recipient, lower-cased, and when it had it whole (ms since epoch). */
export interface Arrival {
  to: string;
  at: number;
}

export interface Sink {
  url: string;
  /** Messages received so far. */
  count(): number;
  /** Every message received, when `keepArrivals` was set (else empty). */
  arrivals: Arrival[];
  close(): Promise<void>;
}

/**
 * An SMTP server that accepts every message and counts it; `answerDelayMs` holds each answer
 * that long, and `keepArrivals` notes who each message was for and when it arrived.
 */
export async function startSink({ answerDelayMs = 0, keepArrivals = false } = {}): Promise<Sink> {
  let received = 0;
  const arrivals: Arrival[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // Its reverse DNS lookup of each new connection is the sink's cost, not the sender's.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      stream.on('end', () => {
        received++;
        if (keepArrivals) arrivals.push({ to: session.envelope.rcptTo[0]?.address.toLowerCase() ?? '', at: Date.now() });
        if (answerDelayMs > 0) setTimeout(callback, answerDelayMs);
        else callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    count: () => received,
    arrivals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
