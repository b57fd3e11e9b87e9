import type { ClaimedDelivery } from '../src/sending/claim';
import { DeliveryStatus } from '../src/sending/delivery.entity';
import { putBack, resultFor } from '../src/sending/record';

const policy = { SEND_MAX_RETRIES: 3, SEND_RETRY_BASE_MS: 1000, SEND_RETRY_MAX_MS: 60_000 };
const now = new Date('2026-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms);
const delivery = (tries = 0): ClaimedDelivery => ({
  id: 'd1',
  email: 'ann@example.com',
  fullName: 'Ann',
  messageId: '<d1@example.com>',
  tries,
  recipientId: 'r1',
  ownerId: 'o1',
});
const lowest = () => 0;

describe('resultFor', () => {
  it('records a sent message as SENT with the answer and the time', () => {
    expect(resultFor(delivery(), { kind: 'sent', response: '250 OK queued' }, policy, now, lowest)).toEqual({
      id: 'd1',
      status: DeliveryStatus.SENT,
      response: '250 OK queued',
      tries: 1,
      nextTryAt: now,
      sentAt: now,
    });
  });

  it('records a rejection as FAILED at once, whatever tries are left', () => {
    expect(resultFor(delivery(0), { kind: 'rejected', response: '550 no such user' }, policy, now)).toEqual({
      id: 'd1',
      status: DeliveryStatus.FAILED,
      response: '550 no such user',
      tries: 1,
      nextTryAt: now,
      sentAt: null,
    });
  });

  it('records a hand-over whose end is unknown as UNCERTAIN', () => {
    expect(resultFor(delivery(2), { kind: 'uncertain', response: 'ECONNECTION: lost' }, policy, now)).toMatchObject({
      status: DeliveryStatus.UNCERTAIN,
      response: 'ECONNECTION: lost',
      tries: 3,
      sentAt: null,
    });
  });

  it('puts a deferred delivery back to PENDING after the backoff of its try', () => {
    const deferred = { kind: 'deferred', response: '451 try later', serverDown: false } as const;
    expect(resultFor(delivery(0), deferred, policy, now, lowest)).toEqual({
      id: 'd1',
      status: DeliveryStatus.PENDING,
      response: '451 try later',
      tries: 1,
      nextTryAt: at(500),
      sentAt: null,
    });
    expect(resultFor(delivery(2), deferred, policy, now, lowest).nextTryAt).toEqual(at(2000));
  });

  it('retries SEND_MAX_RETRIES times, then gives up with FAILED', () => {
    const deferred = { kind: 'deferred', response: '451 try later', serverDown: true } as const;
    // The first try and SEND_MAX_RETRIES (3) retries: the fourth failure is the last.
    expect(resultFor(delivery(2), deferred, policy, now, lowest)).toMatchObject({ status: DeliveryStatus.PENDING, tries: 3 });
    expect(resultFor(delivery(3), deferred, policy, now, lowest)).toEqual({
      id: 'd1',
      status: DeliveryStatus.FAILED,
      response: 'Gave up after 4 tries: 451 try later',
      tries: 4,
      nextTryAt: now,
      sentAt: null,
    });
  });

  it('puts a skipped delivery back untried: no try counted, its last answer kept, due at once', () => {
    expect(resultFor(delivery(2), { kind: 'skipped' }, policy, now)).toEqual(putBack(delivery(2), now));
    expect(putBack(delivery(2), now)).toEqual({
      id: 'd1',
      status: DeliveryStatus.PENDING,
      response: null,
      tries: 2,
      nextTryAt: now,
      sentAt: null,
    });
  });
});
