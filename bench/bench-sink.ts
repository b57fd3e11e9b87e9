import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Sink {
  url: string;
  /** Messages received so far. */
  count(): number;
  close(): Promise<void>;
}

/** An SMTP server that accepts every message and only counts it; `answerDelayMs` holds each answer that long. */
export async function startSink({ answerDelayMs = 0 } = {}): Promise<Sink> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
