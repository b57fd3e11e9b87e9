import { retryDelayMs } from '../src/sending/backoff';

const policy = { SEND_RETRY_BASE_MS: 1000, SEND_RETRY_MAX_MS: 60_000 };
const lowest = () => 0;
const highest = () => 0.999_999;

describe('retryDelayMs', () => {
  it('lies between half the exponential delay and the whole of it', () => {
    expect(retryDelayMs(1, policy, lowest)).toBe(500);
    expect(retryDelayMs(1, policy, () => 0.5)).toBe(750);
    expect(retryDelayMs(1, policy, highest)).toBe(999);
  });

  it('doubles with every failed try', () => {
    const delays = [1, 2, 3, 4, 5].map((tries) => retryDelayMs(tries, policy, lowest));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('never exceeds SEND_RETRY_MAX_MS, however many tries failed', () => {
    expect(retryDelayMs(7, policy, highest)).toBe(59_999);
    expect(retryDelayMs(8, policy, lowest)).toBe(30_000);
    expect(retryDelayMs(1000, policy, highest)).toBe(59_999);
  });

  it('treats a first try like no try (no delay shorter than the base)', () => {
    expect(retryDelayMs(0, policy, lowest)).toBe(retryDelayMs(1, policy, lowest));
  });

  it('uses Math.random by default, within the same bounds', () => {
    for (let i = 0; i < 50; i++) {
      const delay = retryDelayMs(3, policy);
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThan(4000);
    }
  });
});
