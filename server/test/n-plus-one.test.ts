import { randomUUID } from 'node:crypto';
import type { LogContext } from '@mikro-orm/core';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { Role } from '../src/common/actor';
import { Mailing } from '../src/mailings/mailing.entity';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { createMailing, createMessage, createRecipients } from './mailing-helpers';

/**
 * The number of SQL queries a GraphQL request makes must not grow with the page size:
 * relations come through MikroORM's dataloader, counts through per-request loaders.
 */
let t: TestApp;
let owner: TestUser;
let manager: TestUser;

beforeAll(async () => {
  // Read cache off: a list another test left cached would answer without its queries.
  t = await startTestApp({ CACHE_TTL_SECONDS: '0' });
  owner = await t.createUser();
  const other = await t.createUser();
  manager = await t.createUser({ role: Role.MANAGER });
  const ownerRecipients = await createRecipients(t, owner, 3);
  const otherRecipients = await createRecipients(t, other, 2);
  const otherMessage = await createMessage(t, other, 'Shared');
  const em = t.app.orm.em.fork();
  for (let i = 0; i < 50; i++) {
    const messageId = await createMessage(t, owner, `Message ${i}`);
    const mailing = em.getReference(Mailing, await createMailing(t, owner, { messageId, recipientIds: ownerRecipients }));
    await createMailing(t, other, { messageId: otherMessage, recipientIds: otherRecipients });
    // Every owner's mailing has a finished run and a running one with live counts.
    em.create(Attempt, { mailing, status: AttemptStatus.SUCCESS, attemptedAt: new Date(Date.now() - 7200_000), total: 3, sentCount: 3 });
    const running = em.create(Attempt, { mailing, status: AttemptStatus.RUNNING, attemptedAt: new Date(Date.now() - 3600_000), total: 3 });
    [DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.FAILED].forEach((status, n) =>
      em.create(Delivery, { attempt: running, email: `d${n}@example.com`, status }),
    );
  }
  await em.flush();
});
afterAll(() => t?.close());
afterEach(() => jest.restoreAllMocks());

/** Runs one GraphQL request and counts the SQL queries the ORM ran for it (tagged with its request id). */
async function countQueries(query: string, variables: Record<string, unknown>, as: TestUser) {
  const requestId = randomUUID();
  const tagged: string[] = [];
  const logger = t.app.orm.config.getLogger();
  const logQuery = logger.logQuery.bind(logger);
  jest.spyOn(logger, 'logQuery').mockImplementation((context: LogContext) => {
    if (context.requestId === requestId) tagged.push(context.query ?? '');
    logQuery(context);
  });
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${as.token}`, 'x-request-id': requestId },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
  jest.restoreAllMocks();
  expect(body.errors).toBeUndefined();
  return { data: body.data!, queries: tagged };
}

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
    ['an owner listing their mailings', MAILINGS, () => owner, 'mailings', 8],
    ['a manager listing everyone’s mailings', MAILINGS, () => manager, 'mailings', 8],
    ['an owner listing their messages', MESSAGES, () => owner, 'messages', 8],
    // session, list and count, latest runs, their rows, live counts, two per nested page
    ['an owner listing mailings with progress, attempts and recipients', MAILING_PAGE, () => owner, 'mailings', 10],
    ['a manager listing mailings with progress, attempts and recipients', MAILING_PAGE, () => manager, 'mailings', 10],
  ])('stay the same for 5 and 50 items: %s', async (_who, query, as, field, most) => {
    const small = await countQueries(query, { limit: 5 }, as());
    const large = await countQueries(query, { limit: 50 }, as());
    expect(small.data[field].items).toHaveLength(5);
    expect(large.data[field].items).toHaveLength(50);
    expect(large.queries.length).toBe(small.queries.length);
    expect(large.queries.length).toBeLessThanOrEqual(most);
  });

  it('resolve each mailing’s own progress, attempts and recipient page while batching', async () => {
    const { data } = await countQueries(MAILING_PAGE, { limit: 50 }, manager);
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
    const { data } = await countQueries(MAILINGS, { limit: 50 }, manager);
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
