import { startTestApp, type TestApp, type TestUser } from './harness';
import { Role } from '../src/common/actor';
import { fixtureId } from '../src/cli/fixture-loader';
import { Mailing } from '../src/mailings/mailing.entity';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { seedFixture, withQueries } from './fixture-helpers';

/**
 * The number of SQL queries a GraphQL request makes must not grow with the page size:
 * relations come through MikroORM's dataloader, counts through per-request loaders.
 */
let t: TestApp;
let owner: TestUser;
let manager: TestUser;

const MAILINGS_EACH = 50;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const emails = (prefix: string, n: number) => range(n).map((i) => `${prefix}${i}@example.com`);

/** 50 mailings of the owner, each with a message of its own, and 50 of another user sharing one message. */
function fixture() {
  const ownerRecipients = emails('r', 3);
  const otherRecipients = emails('o', 2);
  const mailing = (key: string, message: string, recipients: string[], status: string) => ({
    key,
    message,
    recipients,
    startAt: '+1h',
    endAt: '+2h',
    status,
  });
  return {
    users: [
      {
        email: 'owner@example.com',
        password: 'owner-password',
        recipients: ownerRecipients.map((email) => ({ email })),
        messages: range(MAILINGS_EACH).map((i) => ({ subject: `Message ${i}`, body: 'Dear reader' })),
        mailings: range(MAILINGS_EACH).map((i) => mailing(`owner-${i}`, `Message ${i}`, ownerRecipients, 'RUNNING')),
      },
      {
        email: 'other@example.com',
        password: 'other-password',
        recipients: otherRecipients.map((email) => ({ email })),
        messages: [{ subject: 'Shared', body: 'Dear reader' }],
        mailings: range(MAILINGS_EACH).map((i) => mailing(`other-${i}`, 'Shared', otherRecipients, 'CREATED')),
      },
      { email: 'manager@example.com', password: 'manager-password', role: Role.MANAGER },
    ],
  };
}

beforeAll(async () => {
  // Read cache off: a list another test left cached would answer without its queries.
  t = await startTestApp({ CACHE_TTL_SECONDS: '0' });
  const users = await seedFixture(t, fixture());
  owner = users['owner@example.com'];
  manager = users['manager@example.com'];
  const em = t.app.orm.em.fork();
  // Newest first, the two users' mailings take turns, so a manager's page holds both.
  const turns = range(MAILINGS_EACH).flatMap((i) => [fixtureId(`mailing:owner-${i}`), fixtureId(`mailing:other-${i}`)]);
  for (const mailing of await em.find(Mailing, {})) mailing.createdAt = new Date(Date.now() - 1000 * turns.indexOf(mailing.id));
  // Every owner's mailing has a finished run and a running one with live counts.
  for (const i of range(MAILINGS_EACH)) {
    const mailing = em.getReference(Mailing, fixtureId(`mailing:owner-${i}`));
    em.create(Attempt, { mailing, status: AttemptStatus.SUCCESS, attemptedAt: new Date(Date.now() - 7200_000), total: 3, sentCount: 3 });
    const running = em.create(Attempt, { mailing, status: AttemptStatus.RUNNING, attemptedAt: new Date(Date.now() - 3600_000), total: 3 });
    [DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.FAILED].forEach((status, n) =>
      em.create(Delivery, { attempt: running, email: `d${n}@example.com`, status }),
    );
  }
  await em.flush();
});
afterAll(() => t?.close());

const MAILINGS = `query($limit: Int) {
  mailings(limit: $limit) {
    total
    items { id status recipientCount message { subject mailingCount } recipients { email } owner { email } }
  }
}`;
const MAILING_PAGE = `query($limit: Int) {
  mailings(limit: $limit) {
    items {
      id
      progress { status total pending sent failed }
      attempts(limit: 5) { total items { id status } }
      recipientPage(limit: 2) { total items { email } }
    }
  }
}`;
const MESSAGES = `query($limit: Int) {
  messages(limit: $limit) { total items { id subject mailingCount owner { email } } }
}`;

describe('SQL queries per request', () => {
  it.each([
    // session, list and count, messages, their mailing counts, recipient counts, recipients (two per nested page), owners
    ['an owner listing their mailings', MAILINGS, () => owner, 'mailings', 9],
    ['a manager listing everyone’s mailings', MAILINGS, () => manager, 'mailings', 9],
    ['an owner listing their messages', MESSAGES, () => owner, 'messages', 8],
    // session, list and count, latest runs, their rows, live counts, two per nested page
    ['an owner listing mailings with progress, attempts and recipients', MAILING_PAGE, () => owner, 'mailings', 10],
    ['a manager listing mailings with progress, attempts and recipients', MAILING_PAGE, () => manager, 'mailings', 10],
  ])('stay the same for 5 and 50 items: %s', async (_who, query, as, field, most) => {
    const small = await withQueries(t, query, { limit: 5 }, as());
    const large = await withQueries(t, query, { limit: 50 }, as());
    expect(small.data[field].items).toHaveLength(5);
    expect(large.data[field].items).toHaveLength(50);
    expect(large.queries.length).toBe(small.queries.length);
    expect(large.queries.length).toBeLessThanOrEqual(most);
  });

  it('resolve each mailing’s own progress, attempts and recipient page while batching', async () => {
    const { data } = await withQueries(t, MAILING_PAGE, { limit: 50 }, manager);
    type Row = { progress: unknown; attempts: { total: number; items: Array<{ status: string }> }; recipientPage: { total: number; items: unknown[] } };
    const items = data.mailings.items as Row[];
    const withRuns = items.filter((m) => m.progress !== null);
    expect(withRuns.length).toBeGreaterThan(0);
    for (const m of withRuns) {
      expect(m.progress).toEqual({ status: 'RUNNING', total: 3, pending: 1, sent: 1, failed: 1 });
      expect(m.attempts.total).toBe(2);
      expect(m.attempts.items.map((a) => a.status)).toEqual(['RUNNING', 'SUCCESS']);
      expect(m.recipientPage).toMatchObject({ total: 3 });
      expect(m.recipientPage.items).toHaveLength(2);
    }
    for (const m of items.filter((m) => m.progress === null)) {
      expect(m.attempts).toEqual({ total: 0, items: [] });
      expect(m.recipientPage.total).toBe(2);
    }
  });

  it('resolve the nested fields correctly while batching', async () => {
    const { data } = await withQueries(t, MAILINGS, { limit: 50 }, manager);
    const items = data.mailings.items as Array<{
      recipientCount: number;
      recipients: unknown[];
      message: { subject: string; mailingCount: number };
      owner: { email: string };
    }>;
    const owners = new Set(items.map((m) => m.owner.email));
    expect(owners.size).toBe(2);
    expect(owners.has(owner.user.email)).toBe(true);
    for (const m of items) {
      expect(m.recipients).toHaveLength(m.recipientCount);
      if (m.owner.email === owner.user.email) {
        expect(m).toMatchObject({ recipientCount: 3, message: { mailingCount: 1 } });
      } else {
        expect(m).toMatchObject({ recipientCount: 2, message: { subject: 'Shared', mailingCount: 50 } });
      }
    }
  });
});
