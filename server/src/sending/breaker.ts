import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhenResult, type CircuitBreakerPolicy } from 'cockatiel';
import { isServerDown, type SendOutcome } from './smtp-errors';

/**
 * Stops hammering a dead mail server: after `threshold` consecutive server-level failures
 * nothing is sent for `halfOpenAfterMs`, then one message probes; the others wait for its
 * verdict. (cockatiel's breaker reads the time from Date.now().)
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
