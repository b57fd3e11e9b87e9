import { MailingStatus } from '../src/mailings/mailing.entity';
import { plannedJobs, type MailingPlan } from '../src/sending/plan';

const now = new Date('2026-06-01T12:00:00Z');
const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
const plan = (p: Partial<MailingPlan> = {}): MailingPlan => ({
  status: MailingStatus.CREATED,
  paused: false,
  disabled: false,
  ownerBlocked: false,
  startAt: hours(1),
  endAt: hours(5),
  openAttemptId: null,
  ...p,
});

describe('plannedJobs', () => {
  it('cancels every job of a deleted mailing', () => {
    expect(plannedJobs(null, now)).toEqual({ start: null, finish: null, attempt: null });
  });

  it('starts a new mailing at its start and finishes it at its end', () => {
    expect(plannedJobs(plan(), now)).toEqual({ start: hours(1), finish: hours(5), attempt: 'keep' });
  });

  it('starts a mailing whose start has passed at once', () => {
    expect(plannedJobs(plan({ startAt: hours(-1) }), now)).toEqual({ start: now, finish: hours(5), attempt: 'keep' });
  });

  it('no longer starts a mailing past its end, and finishes it at once', () => {
    expect(plannedJobs(plan({ startAt: hours(-5), endAt: hours(-1) }), now)).toEqual({ start: null, finish: now, attempt: 'keep' });
  });

  it('queues a mailing’s open attempt at once instead of starting it again, leaving its start job alone (it may be sending it)', () => {
    expect(plannedJobs(plan({ status: MailingStatus.RUNNING, openAttemptId: 'a1' }), now)).toEqual({
      start: 'keep',
      finish: hours(5),
      attempt: { attemptId: 'a1', at: now },
    });
  });

  it('starts nothing more for a RUNNING mailing without an open attempt (send now opens the next)', () => {
    expect(plannedJobs(plan({ status: MailingStatus.RUNNING }), now)).toEqual({ start: null, finish: hours(5), attempt: 'keep' });
  });

  it('sends nothing for a paused mailing, but still finishes it at its end', () => {
    expect(plannedJobs(plan({ paused: true, openAttemptId: 'a1' }), now)).toEqual({ start: null, finish: hours(5), attempt: null });
    expect(plannedJobs(plan({ paused: true }), now)).toEqual({ start: null, finish: hours(5), attempt: null });
  });

  it('sends nothing for a disabled mailing, but still finishes it at its end', () => {
    expect(plannedJobs(plan({ disabled: true, openAttemptId: 'a1' }), now)).toEqual({ start: null, finish: hours(5), attempt: null });
  });

  it("sends nothing while the owner is blocked and starts as planned once unblocked", () => {
    expect(plannedJobs(plan({ ownerBlocked: true }), now)).toEqual({ start: null, finish: hours(5), attempt: null });
    expect(plannedJobs(plan({ ownerBlocked: true, status: MailingStatus.RUNNING, openAttemptId: 'a1' }), now)).toEqual({
      start: null,
      finish: hours(5),
      attempt: null,
    });
    expect(plannedJobs(plan({ ownerBlocked: false }), now)).toEqual({ start: hours(1), finish: hours(5), attempt: 'keep' });
  });

  it('plans nothing for a FINISHED mailing', () => {
    expect(plannedJobs(plan({ status: MailingStatus.FINISHED }), now)).toEqual({ start: null, finish: null, attempt: null });
  });

  it('closes an attempt a FINISHED mailing left open, at once', () => {
    expect(plannedJobs(plan({ status: MailingStatus.FINISHED, openAttemptId: 'a1' }), now)).toEqual({
      start: null,
      finish: now,
      attempt: null,
    });
  });
});
