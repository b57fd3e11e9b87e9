import { SmtpBreaker } from '../src/sending/breaker';
import type { SendOutcome } from '../src/sending/smtp-errors';

const THRESHOLD = 3;
const HALF_OPEN_MS = 10_000;
const START = 1_000_000;

const sent: SendOutcome = { kind: 'sent', response: '250 OK' };
const down: SendOutcome = { kind: 'deferred', response: '421 closing', serverDown: true };
const busy: SendOutcome = { kind: 'deferred', response: '450 mailbox busy', serverDown: false };
const rejected: SendOutcome = { kind: 'rejected', response: '550 no such user' };

/** A send that counts its calls and answers `outcome`. */
function sender(outcome: SendOutcome) {
  const send = jest.fn(async () => outcome);
  return send;
}

// cockatiel's breaker reads the time from Date.now(): the fake clock stands in for it.
beforeEach(() => jest.useFakeTimers({ now: START, doNotFake: ['setImmediate'] }));
/** Lets every promise that can settle do so. */
const settled = () => new Promise((resolve) => setImmediate(resolve));
afterEach(() => jest.useRealTimers());

async function trip(breaker: SmtpBreaker) {
  for (let i = 0; i < THRESHOLD; i++) await breaker.run(sender(down));
}

describe('SmtpBreaker', () => {
  it('passes outcomes through while the server answers', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    for (const outcome of [sent, busy, rejected, down, down]) expect(await breaker.run(sender(outcome))).toEqual(outcome);
    expect(breaker.pausedUntil()).toBeNull();
  });

  it(`opens after ${THRESHOLD} server-level failures in a row and then sends nothing`, async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    const paused = jest.fn();
    breaker.onPause(paused);
    await trip(breaker);
    expect(paused).toHaveBeenCalledTimes(1);
    expect(breaker.pausedUntil()).toBe(START + HALF_OPEN_MS);
    const send = sender(sent);
    expect(await breaker.run(send)).toEqual({ kind: 'skipped' });
    expect(send).not.toHaveBeenCalled();
  });

  it('counts only failures in a row: an answer from the server starts the count again', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    for (const outcome of [down, down, busy, down, down, rejected, down, down, sent, down, down]) await breaker.run(sender(outcome));
    expect(breaker.pausedUntil()).toBeNull();
    await breaker.run(sender(down));
    expect(breaker.pausedUntil()).toBe(START + HALF_OPEN_MS);
  });

  it('lets one probe out after the pause and resumes when it goes through', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    const resumed = jest.fn();
    breaker.onResume(resumed);
    await trip(breaker);
    jest.setSystemTime(START + HALF_OPEN_MS - 1);
    expect(breaker.pausedUntil()).toBe(START + HALF_OPEN_MS);
    jest.setSystemTime(START + HALF_OPEN_MS);
    expect(breaker.pausedUntil()).toBeNull();

    let answer!: (outcome: SendOutcome) => void;
    const probe = breaker.run(() => new Promise<SendOutcome>((resolve) => (answer = resolve)));
    // The others wait for the probe's verdict.
    const other = sender(sent);
    const waiting = breaker.run(other);
    await settled();
    expect(other).not.toHaveBeenCalled();
    answer(sent);
    expect(await probe).toEqual(sent);
    expect(await waiting).toEqual(sent);
    expect(other).toHaveBeenCalledTimes(1);
    expect(resumed).toHaveBeenCalledTimes(1);
    expect(breaker.pausedUntil()).toBeNull();
  });

  it('holds the others back when the probe fails', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    await trip(breaker);
    jest.setSystemTime(START + HALF_OPEN_MS);
    let answer!: (outcome: SendOutcome) => void;
    const probe = breaker.run(() => new Promise<SendOutcome>((resolve) => (answer = resolve)));
    const other = sender(sent);
    const waiting = breaker.run(other);
    answer(down);
    expect(await probe).toEqual({ kind: 'skipped' });
    expect(await waiting).toEqual({ kind: 'skipped' });
    expect(other).not.toHaveBeenCalled();
  });

  it('counts no try for a failed probe and pauses again from then', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    await trip(breaker);
    const probeAt = START + HALF_OPEN_MS + 500;
    jest.setSystemTime(probeAt);
    expect(await breaker.run(sender(down))).toEqual({ kind: 'skipped' });
    expect(breaker.pausedUntil()).toBe(probeAt + HALF_OPEN_MS);
  });

  it('passes a probe’s verdict on the message through when the server answered', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    await trip(breaker);
    jest.setSystemTime(START + HALF_OPEN_MS);
    expect(await breaker.run(sender(rejected))).toEqual(rejected);
    expect(breaker.pausedUntil()).toBeNull();
  });

  it('lets an unexpected error from the send through', async () => {
    const breaker = new SmtpBreaker(THRESHOLD, HALF_OPEN_MS);
    await expect(breaker.run(() => Promise.reject(new Error('bug')))).rejects.toThrow('bug');
  });
});
