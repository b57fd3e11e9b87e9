import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  halfJitterGenerator,
  handleWhenResult,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import type { Config } from '../config';

/** What became of one message handed to the mail server. */
export type SendOutcome =
  | { kind: 'sent'; response: string }
  /** Refused for good (5xx): FAILED with the answer. */
  | { kind: 'rejected'; response: string }
  /** Not sent this time (4xx, timeout, no connection): retried later. `serverDown` feeds the circuit breaker. */
  | { kind: 'deferred'; response: string; serverDown: boolean }
  /** The connection was lost after the whole message went out: it may have arrived; never re-sent. */
  | { kind: 'uncertain'; response: string }
  /** Not tried at all: the breaker holds sending back while the server is down. */
  | { kind: 'skipped' };

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  permanent?: boolean;
  message?: string;
}

const CONNECTION_LOST = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);
/** Failures of the server or the way to it rather than of one message. */
const SERVER_DOWN = new Set([...CONNECTION_LOST, 'EDNS', 'ETLS', 'EAUTH', 'EPROTOCOL', 'ENOAUTH']);

/** Sorts a nodemailer error; `handedOver` says whether the whole message had been written to the server. */
export function classifySendError(error: unknown, handedOver: boolean): SendOutcome {
  const err = (error ?? {}) as SmtpError;
  const code = err.code ?? '';
  const response = err.response ?? [code, err.message].filter(Boolean).join(': ');
  if (err.responseCode && err.permanent) return { kind: 'rejected', response };
  if (!err.responseCode && handedOver && CONNECTION_LOST.has(code)) return { kind: 'uncertain', response };
  if (err.responseCode) return { kind: 'deferred', response, serverDown: err.responseCode === 421 };
  if (SERVER_DOWN.has(code)) return { kind: 'deferred', response, serverDown: true };
  // An address or message nodemailer itself refuses (EENVELOPE, EMESSAGE without an answer) will not improve.
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { kind: 'rejected', response };
  return { kind: 'deferred', response, serverDown: false };
}

function isServerDown(outcome: SendOutcome): boolean {
  return outcome.kind === 'deferred' && outcome.serverDown;
}

/** Delay before the next try after `tries` failed ones: exponential with half jitter, capped. */
export function retryDelayMs(tries: number, config: Pick<Config, 'SEND_RETRY_BASE_MS' | 'SEND_RETRY_MAX_MS'>): number {
  const [delay] = halfJitterGenerator(Math.max(0, tries - 1), {
    initialDelay: config.SEND_RETRY_BASE_MS,
    maxDelay: config.SEND_RETRY_MAX_MS,
    exponent: 2,
    generator: halfJitterGenerator,
  });
  return delay;
}

/**
 * Stops hammering a dead mail server: after SEND_BREAKER_THRESHOLD consecutive
 * server-level failures nothing is sent for SEND_BREAKER_HALF_OPEN_MS, then one
 * message probes; the others wait for its verdict.
 */
export class SmtpBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    threshold: number,
    private readonly halfOpenAfterMs: number,
  ) {
    this.policy = circuitBreaker(
      handleWhenResult((result) => isServerDown(result as SendOutcome)),
      { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(threshold) },
    );
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
    });
  }

  async run(send: () => Promise<SendOutcome>): Promise<SendOutcome> {
    const probing = this.policy.state !== CircuitState.Closed;
    try {
      const outcome = await this.policy.execute(send);
      // A failed probe says the server is still down, nothing about this message: no try is counted.
      return probing && isServerDown(outcome) ? { kind: 'skipped' } : outcome;
    } catch (error) {
      if (error instanceof BrokenCircuitError) return { kind: 'skipped' };
      throw error;
    }
  }

  /** While open: when a probe may go out. Null when sending may go ahead (a probe included). */
  pausedUntil(): number | null {
    if (this.policy.state !== CircuitState.Open) return null;
    const until = this.openedAt + this.halfOpenAfterMs;
    return Date.now() < until ? until : null;
  }

  onPause(listener: () => void): void {
    this.policy.onBreak(listener);
  }

  onResume(listener: () => void): void {
    this.policy.onReset(listener);
  }
}
