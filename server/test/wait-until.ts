import pWaitFor from 'p-wait-for';

/**
 * The one way tests wait: polls `check` until it returns something other than undefined
 * or false, and resolves with that; fails naming `what` after `timeoutMs`. The limit is
 * generous on purpose: it only ends a test that is broken, never paces one, and a loaded
 * machine must not fail a correct one.
 */
export function waitUntil<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000): Promise<T> {
  return pWaitFor(
    async () => {
      const value = await check();
      return value !== undefined && value !== false && pWaitFor.resolveWith(value);
    },
    { interval: 25, timeout: { milliseconds: timeoutMs, message: `timed out after ${timeoutMs} ms waiting for ${what}` } },
  );
}
