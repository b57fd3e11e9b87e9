import { Role } from '../src/common/actor';
import { Mailing } from '../src/mailings/mailing.entity';
import { Recipient } from '../src/recipients/recipient.entity';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { seedFixture, withQueries } from './fixture-helpers';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { createMailing, createMessage, createRecipients, ok } from './mailing-helpers';

/**
 * The reads the web UI repeats (bench/api-reads.ts): counts kept by the database, whole
 * answers and sessions cached until a write of their owner, and a closed attempt's counts.
 */
let t: TestApp;

const LIST = `{ mailings(limit: 50) { total items { id status paused recipientCount message { subject } owner { email } } } }`;
const UPDATE = `mutation($id: ID!, $input: MailingUpdateInput!) { updateMailing(id: $id, input: $input) { id recipientCount } }`;
const DELIVERIES = `query($attemptId: ID!, $status: DeliveryStatus, $search: String) {
  attemptDeliveries(attemptId: $attemptId, status: $status, search: $search, limit: 50) { total items { email status } } }`;
const ME = `{ me { email } }`;

beforeAll(async () => {
  t = await startTestApp({ CACHE_TTL_SECONDS: '300' });
});
afterAll(async () => {
  await t?.close();
});

const countOf = async (owner: TestUser, mailingId: string) =>
  ok(await t.gql(LIST, {}, owner)).mailings.items.find((m: { id: string }) => m.id === mailingId).recipientCount as number;
const audienceCount = async (mailingId: string) =>
  (await t.app.orm.em.fork().getConnection().execute<Array<{ n: number }>>(`select count(*)::int n from mailing_audience where mailing_id = ?`, [mailingId]))[0].n;

describe("a mailing's recipient count", () => {
  it('stays right through adding, replacing and deleting recipients, to all or some, whoever writes', async () => {
    const owner = await t.createUser();
    const recipients = await createRecipients(t, owner, 5, 'count');
    const messageId = await createMessage(t, owner);
    const mailingId = await createMailing(t, owner, { messageId, recipientIds: recipients.slice(0, 3) });
    const other = await createMailing(t, owner, { messageId, recipientIds: recipients.slice(0, 1) });
    expect(await countOf(owner, mailingId)).toBe(3);

    ok(await t.gql(UPDATE, { id: mailingId, input: { recipientIds: recipients.slice(1, 3) } }, owner));
    expect(await countOf(owner, mailingId)).toBe(2);

    ok(await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id: recipients[1] }, owner));
    expect(await countOf(owner, mailingId)).toBe(1);

    ok(await t.gql(UPDATE, { id: mailingId, input: { allRecipients: true } }, owner));
    expect(await countOf(owner, mailingId)).toBe(4);
    // To all recipients: those there at that moment, less the deleted; newcomers do not join.
    await createRecipients(t, owner, 1, 'later');
    expect(await countOf(owner, mailingId)).toBe(4);
    ok(await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id: recipients[3] }, owner));
    expect(await countOf(owner, mailingId)).toBe(3);

    // The ORM's own collection writes (fixtures, tests) are counted too.
    const em = t.app.orm.em.fork();
    const mailing = await em.findOneOrFail(Mailing, other, { populate: ['recipients'] });
    mailing.recipients.add(em.getReference(Recipient, recipients[2]));
    await em.flush();
    expect(await countOf(owner, other)).toBe(2);

    expect(await countOf(owner, mailingId)).toBe(await audienceCount(mailingId));
    expect(await countOf(owner, other)).toBe(await audienceCount(other));

    ok(await t.gql(UPDATE, { id: mailingId, input: { recipientIds: recipients.slice(2, 3) } }, owner));
    expect(await countOf(owner, mailingId)).toBe(1);
  });
});

describe('whole answers of the mailings list', () => {
  it('are answered without SQL until the owner writes, then show the write', async () => {
    const owner = await t.createUser();
    const messageId = await createMessage(t, owner, 'Cached subject');
    const mailingId = await createMailing(t, owner, { messageId, recipientIds: await createRecipients(t, owner, 1, 'answer') });
    await t.gql(LIST, {}, owner);
    await t.gql(ME, {}, owner); // the session is cached from its second use on

    const again = await withQueries(t, LIST, {}, owner);
    expect(again.queries).toEqual([]);
    expect(again.data.mailings.items[0]).toMatchObject({ id: mailingId, paused: false, message: { subject: 'Cached subject' } });

    ok(await t.gql(`mutation($id: ID!) { pauseMailing(id: $id) { id } }`, { id: mailingId }, owner));
    expect((await withQueries(t, LIST, {}, owner)).data.mailings.items[0].paused).toBe(true);
    ok(await t.gql(`mutation($id: ID!, $input: MessageUpdateInput!) { updateMessage(id: $id, input: $input) { id } }`, { id: messageId, input: { subject: 'New subject' } }, owner));
    expect(ok(await t.gql(LIST, {}, owner)).mailings.items[0].message.subject).toBe('New subject');
  });

  it('are not kept when they ask for live data (sending progress)', async () => {
    const owner = await t.createUser();
    const messageId = await createMessage(t, owner);
    await createMailing(t, owner, { messageId, recipientIds: await createRecipients(t, owner, 1, 'live') });
    const live = `{ mailings { items { id progress { sent } } } }`;
    await t.gql(live, {}, owner);
    expect((await withQueries(t, live, {}, owner)).queries.length).toBeGreaterThan(0);
  });

  it("keep each user's to themselves", async () => {
    const ann = await t.createUser();
    const ben = await t.createUser();
    const messageId = await createMessage(t, ann);
    await createMailing(t, ann, { messageId, recipientIds: await createRecipients(t, ann, 1, 'ann') });
    expect(ok(await t.gql(LIST, {}, ann)).mailings.total).toBe(1);
    expect(ok(await t.gql(LIST, {}, ben)).mailings.total).toBe(0);
    expect(ok(await t.gql(LIST, {}, ben)).mailings.total).toBe(0);
  });
});

describe('a cached session', () => {
  it('stops working right after logout and blocking', async () => {
    const manager = await t.createUser({ role: Role.MANAGER });
    const leaving = await t.createUser();
    const blocked = await t.createUser();
    for (const user of [leaving, blocked, leaving, blocked]) expect(ok(await t.gql(ME, {}, user)).me).not.toBeNull();

    ok(await t.gql(`mutation { logout }`, {}, leaving));
    expect(ok(await t.gql(ME, {}, leaving)).me).toBeNull();

    ok(await t.gql(`mutation($id: ID!) { blockUser(id: $id) { id } }`, { id: blocked.user.id }, manager));
    expect(ok(await t.gql(ME, {}, blocked)).me).toBeNull();
  });

  it("follows a change of role at once (the reader's cache scope changes with it)", async () => {
    const user = await t.createUser();
    const admin = await t.createUser({ role: Role.ADMIN });
    const other = await t.createUser();
    const messageId = await createMessage(t, other);
    await createMailing(t, other, { messageId, recipientIds: await createRecipients(t, other, 1, 'role') });
    const own = ok(await t.gql(LIST, {}, user)).mailings.total;
    ok(await t.gql(LIST, {}, user));
    ok(await t.gql(`mutation($id: ID!, $input: UserUpdateInput!) { updateUser(id: $id, input: $input) { id } }`, { id: user.user.id, input: { role: 'MANAGER' } }, admin));
    expect(ok(await t.gql(LIST, {}, user)).mailings.total).toBeGreaterThan(own);
  });
});

describe('a deliveries page', () => {
  let alice: TestUser;
  let attemptId: string;
  const fixture = {
    users: [
      {
        email: 'alice@example.com',
        password: 'alice-password',
        recipients: ['a1', 'a2', 'a3', 'a4'].map((name) => ({ email: `${name}@example.com` })),
        messages: [{ subject: 'Runs', body: 'b' }],
        mailings: [
          {
            key: 'runs',
            message: 'Runs',
            recipients: ['a1@example.com', 'a2@example.com', 'a3@example.com', 'a4@example.com'],
            startAt: '-2d',
            endAt: '+1d',
            status: 'RUNNING',
            attempts: [
              {
                at: '-1d',
                deliveries: [
                  { recipient: 'a1@example.com', status: 'SENT' },
                  { recipient: 'a2@example.com', status: 'FAILED' },
                  { recipient: 'a3@example.com', status: 'UNCERTAIN' },
                  { recipient: 'a4@example.com', status: 'SENT' },
                ],
              },
            ],
          },
        ],
      },
    ],
  };

  beforeAll(async () => {
    alice = (await seedFixture(t, fixture))['alice@example.com'];
    attemptId = (await t.app.orm.em.fork().findOneOrFail(Attempt, { mailing: { owner: alice.user.id } })).id;
  });

  it("of a closed attempt counts from the attempt's totals, as the deliveries would", async () => {
    for (const status of [undefined, 'SENT', 'FAILED', 'SKIPPED', 'UNCERTAIN', 'PENDING']) {
      const page = ok(await t.gql(DELIVERIES, { attemptId, status }, alice)).attemptDeliveries;
      const live = await t.app.orm.em.fork().count(Delivery, { attempt: attemptId, ...(status && { status: status as DeliveryStatus }) });
      expect({ status, total: page.total, rows: page.items.length }).toEqual({ status, total: live, rows: live });
    }
    expect(ok(await t.gql(DELIVERIES, { attemptId, search: 'a1' }, alice)).attemptDeliveries.total).toBe(1);
    await t.gql(DELIVERIES, { attemptId }, alice);
    expect((await withQueries(t, DELIVERIES, { attemptId }, alice)).queries).toEqual([]);
  });

  it('of a running attempt is read live: what the engine writes shows at once', async () => {
    const em = t.app.orm.em.fork();
    // An attempt the engine is sending: the flush invalidates the owner's reads, as closing and opening do.
    const attempt = await em.findOneOrFail(Attempt, attemptId);
    attempt.status = AttemptStatus.RUNNING;
    await em.flush();
    await em.nativeUpdate(Delivery, { attempt: attemptId, email: 'a2@example.com' }, { status: DeliveryStatus.PENDING });
    const before = ok(await t.gql(DELIVERIES, { attemptId, status: 'PENDING' }, alice)).attemptDeliveries;
    expect(before.total).toBe(1);

    // The engine records results in SQL, without invalidating anything.
    await em.nativeUpdate(Delivery, { attempt: attemptId, email: 'a2@example.com' }, { status: DeliveryStatus.SENT });
    const after = ok(await t.gql(DELIVERIES, { attemptId, status: 'PENDING' }, alice)).attemptDeliveries;
    expect(after).toEqual({ total: 0, items: [] });
    expect(ok(await t.gql(DELIVERIES, { attemptId, status: 'SENT' }, alice)).attemptDeliveries.total).toBe(3);
  });
});
