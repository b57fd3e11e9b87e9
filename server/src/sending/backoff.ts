import { noJitterGenerator } from 'cockatiel';
import type { Config } from '../config';

export type RetryPolicy = Pick<Config, 'SEND_MAX_RETRIES' | 'SEND_RETRY_BASE_MS' | 'SEND_RETRY_MAX_MS'>;

/**
 * Delay before the next try after `tries` failed ones: exponential (doubling from
 * SEND_RETRY_BASE_MS, capped at SEND_RETRY_MAX_MS) with half jitter, so it lies in
 * [delay / 2, delay). `random` yields [0, 1).
 */
export function retryDelayMs(tries: number, policy: Omit<RetryPolicy, 'SEND_MAX_RETRIES'>, random: () => number = Math.random): number {
  const [delay] = noJitterGenerator(Math.max(0, tries - 1), {
    initialDelay: policy.SEND_RETRY_BASE_MS,
    maxDelay: policy.SEND_RETRY_MAX_MS,
    exponent: 2,
    generator: noJitterGenerator,
  });
  return Math.floor((delay + random() * delay) / 2);
}
