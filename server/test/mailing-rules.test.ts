import { MailingStatus } from '../src/mailings/mailing.entity';
import {
  attemptEnd,
  attemptRefusal,
  canEdit,
  editableFields,
  nextStatus,
  nothingToSendRefusal,
  pauseRefusal,
  sendingHeld,
  type MailingEvent,
} from '../src/mailings/mailing.rules';

const { CREATED, RUNNING, FINISHED } = MailingStatus;
const now = new Date('2026-06-01T12:00:00Z');
const later = new Date('2026-06-02T12:00:00Z');
const earlier = new Date('2026-05-31T12:00:00Z');

describe('nextStatus', () => {
  it.each<[MailingStatus, MailingEvent, MailingStatus]>([
    [CREATED, 'attemptOpened', RUNNING],
    [RUNNING, 'attemptOpened', RUNNING],
    [RUNNING, 'attemptFailed', RUNNING],
    [RUNNING, 'attemptSucceeded', FINISHED],
    [CREATED, 'endReached', FINISHED],
    [RUNNING, 'endReached', FINISHED],
    [FINISHED, 'attemptOpened', FINISHED],
    [FINISHED, 'attemptFailed', FINISHED],
    [FINISHED, 'attemptSucceeded', FINISHED],
    [FINISHED, 'endReached', FINISHED],
  ])('%s + %s -> %s', (current, event, next) => {
    expect(nextStatus(current, event)).toBe(next);
  });
});

describe('attemptEnd', () => {
  const counts = (c: Partial<{ total: number; sent: number; skipped: number; pending: number; sending: number }>) => ({
    total: 10,
    sent: 0,
    skipped: 0,
    pending: 0,
    sending: 0,
    ...c,
  });

  it('keeps an attempt open while deliveries wait or are in flight', () => {
    expect(attemptEnd(counts({ sent: 9, pending: 1 }))).toBeNull();
    expect(attemptEnd(counts({ sent: 9, sending: 1 }))).toBeNull();
  });

  it('succeeds when every delivery was sent', () => {
    expect(attemptEnd(counts({ sent: 10 }))).toBe('attemptSucceeded');
  });

  it('succeeds when every delivery was sent or skipped (unsubscribed or deleted recipients), even all skipped', () => {
    expect(attemptEnd(counts({ sent: 7, skipped: 3 }))).toBe('attemptSucceeded');
    expect(attemptEnd(counts({ skipped: 10 }))).toBe('attemptSucceeded');
    expect(attemptEnd(counts({ sent: 6, skipped: 3 }))).toBe('attemptFailed');
  });

  it('fails when any delivery failed or is uncertain', () => {
    expect(attemptEnd(counts({ sent: 9 }))).toBe('attemptFailed');
    expect(attemptEnd(counts({ sent: 0 }))).toBe('attemptFailed');
  });
});

describe('attemptRefusal', () => {
  const mailing = { status: CREATED, paused: false, disabled: false, ownerBlocked: false, endAt: later };

  it('lets a CREATED or RUNNING mailing before its end open an attempt', () => {
    expect(attemptRefusal(mailing, false, now)).toBeNull();
    expect(attemptRefusal({ ...mailing, status: RUNNING }, false, now)).toBeNull();
  });

  it('refuses a disabled mailing first', () => {
    expect(attemptRefusal({ ...mailing, disabled: true, status: FINISHED }, true, now)).toMatch(/disabled/);
  });

  it("refuses while the mailing's owner is blocked", () => {
    expect(attemptRefusal({ ...mailing, ownerBlocked: true, status: RUNNING }, false, now)).toMatch(/owner is blocked/);
  });

  it('refuses a paused mailing until it is resumed', () => {
    expect(attemptRefusal({ ...mailing, paused: true, status: RUNNING }, false, now)).toBe('This mailing is paused: resume it to send.');
  });

  it('refuses while another attempt is open', () => {
    expect(attemptRefusal({ ...mailing, status: RUNNING }, true, now)).toBe('This mailing is already being sent.');
  });

  it('refuses a finished mailing', () => {
    expect(attemptRefusal({ ...mailing, status: FINISHED }, false, now)).toMatch(/has finished/);
  });

  it('refuses once the end time has come', () => {
    expect(attemptRefusal({ ...mailing, endAt: earlier }, false, now)).toMatch(/end time of this mailing has passed/);
    expect(attemptRefusal({ ...mailing, endAt: now }, false, now)).toMatch(/end time of this mailing has passed/);
  });
});

describe('sendingHeld', () => {
  const free = { paused: false, disabled: false, ownerBlocked: false };

  it('holds a mailing that is paused, disabled or whose owner is blocked', () => {
    expect(sendingHeld(free)).toBe(false);
    expect(sendingHeld({ ...free, paused: true })).toBe(true);
    expect(sendingHeld({ ...free, disabled: true })).toBe(true);
    expect(sendingHeld({ ...free, ownerBlocked: true })).toBe(true);
  });
});

describe('pauseRefusal', () => {
  it('lets a mailing be paused or resumed until it has finished', () => {
    expect(pauseRefusal({ status: CREATED })).toBeNull();
    expect(pauseRefusal({ status: RUNNING })).toBeNull();
    expect(pauseRefusal({ status: FINISHED })).toMatch(/has finished/);
  });
});

describe('nothingToSendRefusal', () => {
  it('says a new mailing has no recipients, a sent one that everybody has it', () => {
    expect(nothingToSendRefusal(CREATED, 0)).toBe('This mailing has no recipients.');
    expect(nothingToSendRefusal(RUNNING, 0)).toBe('Every recipient of this mailing has received it already.');
  });

  it('names the unsubscribed recipients it left out', () => {
    expect(nothingToSendRefusal(CREATED, 1)).toBe('This mailing has nobody to send to: 1 recipient has unsubscribed.');
    expect(nothingToSendRefusal(RUNNING, 3)).toBe(
      'Every recipient of this mailing has received it already, or unsubscribed (3 recipients have).',
    );
  });
});

describe('canEdit and editableFields', () => {
  it('lets everything change before the first attempt', () => {
    expect(editableFields({ status: CREATED })).toEqual(['startAt', 'endAt', 'messageId', 'recipientIds']);
    expect(canEdit({ status: CREATED }, ['startAt', 'endAt', 'messageId', 'recipientIds'])).toEqual({ allowed: true });
  });

  it('keeps the start and the message of a RUNNING mailing, naming the first locked field', () => {
    expect(editableFields({ status: RUNNING })).toEqual(['endAt', 'recipientIds']);
    expect(canEdit({ status: RUNNING }, ['endAt', 'recipientIds'])).toEqual({ allowed: true });
    expect(canEdit({ status: RUNNING }, ['endAt', 'messageId', 'startAt'])).toEqual({
      allowed: false,
      field: 'messageId',
      reason: 'This mailing is already sending: only its end time and recipients can still change.',
    });
  });

  it('changes nothing of a FINISHED mailing', () => {
    expect(editableFields({ status: FINISHED })).toEqual([]);
    expect(canEdit({ status: FINISHED }, ['endAt'])).toEqual({
      allowed: false,
      field: 'endAt',
      reason: 'This mailing has finished and can no longer be changed; create a new mailing instead.',
    });
  });

  it('allows an empty change in every status', () => {
    for (const status of [CREATED, RUNNING, FINISHED]) expect(canEdit({ status }, [])).toEqual({ allowed: true });
  });
});
