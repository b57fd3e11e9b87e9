import { randomUUID } from 'node:crypto';
import type { LogContext } from '@mikro-orm/core';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { Role } from '../src/common/actor';
import { createMailing, createMessage, createRecipients } from './mailing-helpers';

/**
 * The number of SQL queries a GraphQL request makes must not grow with the page size:
 * relations come through MikroORM's dataloader, counts through per-request loaders.
 */
let t: TestApp;
let owner: TestUser;
let manager: TestUser;

beforeAll(async () => {
  t = await startTestApp();
  owner = await t.createUser();
  const other = await t.createUser();
  manager = await t.createUser({ role: Role.MANAGER });
  const ownerRecipients = await createRecipients(t, owner, 3);
  const otherRecipients = await createRecipients(t, other, 2);
  const otherMessage = await createMessage(t, other, 'Shared');
  for (let i = 0; i < 50; i++) {
    const messageId = await createMessage(t, owner, `Message ${i}`);
    await createMailing(t, owner, { messageId, recipientIds: ownerRecipients });
    await createMailing(t, other, { messageId: otherMessage, recipientIds: otherRecipients });
  }
}, 60_000);
afterAll(() => t.close());
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
const MESSAGES = `query($limit: Int) {
  messages(limit: $limit) { total items { id subject mailingCount owner { email } } }
}`;

describe('SQL queries per request', () => {
  it.each([
    ['an owner listing their mailings', MAILINGS, () => owner, 'mailings'],
    ['a manager listing everyone’s mailings', MAILINGS, () => manager, 'mailings'],
    ['an owner listing their messages', MESSAGES, () => owner, 'messages'],
  ])('stay the same for 5 and 50 items: %s', async (_who, query, as, field) => {
    const small = await countQueries(query, { limit: 5 }, as());
    const large = await countQueries(query, { limit: 50 }, as());
    expect(small.data[field].items).toHaveLength(5);
    expect(large.data[field].items).toHaveLength(50);
    expect(large.queries.length).toBe(small.queries.length);
    expect(large.queries.length).toBeLessThanOrEqual(8);
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
