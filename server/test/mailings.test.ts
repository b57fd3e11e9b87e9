import { startTestApp, type TestApp, type TestUser } from './harness';
import { Role } from '../src/common/actor';
import { Mailing, MailingStatus } from '../src/mailings/mailing.entity';
import { MAX_RECIPIENTS } from '../src/rules';
import { invalidateOwner } from '../src/cache/cache-invalidator';
import { CREATE_MAILING, createMailing, createMessage, createRecipients, hoursFromNow, ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());
afterEach(() => jest.restoreAllMocks());

const FIELDS = `id status disabled startAt endAt recipientCount editableFields
  message { id subject } recipients { id email } owner { id }`;
const GET = `query($id: ID!) { mailing(id: $id) { ${FIELDS} } }`;
const LIST = `query($search: String, $status: MailingStatus, $offset: Int, $limit: Int) {
  mailings(search: $search, status: $status, offset: $offset, limit: $limit) { total items { id message { subject } owner { id } } }
}`;
const UPDATE = `mutation($id: ID!, $input: MailingUpdateInput!) { updateMailing(id: $id, input: $input) { ${FIELDS} } }`;
const DELETE = `mutation($id: ID!) { deleteMailing(id: $id) }`;
const DISABLE = `mutation($id: ID!) { disableMailing(id: $id) { id disabled } }`;
const ENABLE = `mutation($id: ID!) { enableMailing(id: $id) { id disabled } }`;

/** An owner with a message and three recipients. */
async function sender(subject = 'Weekly news'): Promise<{ user: TestUser; messageId: string; recipientIds: string[] }> {
  const user = await t.createUser();
  const messageId = await createMessage(t, user, subject);
  const recipientIds = await createRecipients(t, user, 3);
  return { user, messageId, recipientIds };
}

const total = async (as: TestUser) => ok(await t.gql(LIST, {}, as)).mailings.total as number;
/** What the sending engine does to a mailing's status: a direct update, then the owner's cached reads dropped. */
async function setStatus(id: string, status: MailingStatus) {
  const em = t.app.orm.em.fork();
  await em.nativeUpdate(Mailing, { id }, { status });
  const { owner } = await em.findOneOrFail(Mailing, id);
  await invalidateOwner(em, owner.id);
}
const code = (res: { errors?: Array<{ extensions?: { code?: string } }> }) => res.errors?.[0].extensions?.code;

describe('mailings', () => {
  it('creates a mailing with its message, deduplicated recipients and owner', async () => {
    const { user, messageId, recipientIds } = await sender();
    const startAt = hoursFromNow(1);
    const endAt = hoursFromNow(5);
    const res = ok(
      await t.gql(CREATE_MAILING, { input: { startAt, endAt, messageId, recipientIds: [...recipientIds, recipientIds[0]] } }, user),
    );
    const id = res.createMailing.id;
    const mailing = ok(await t.gql(GET, { id }, user)).mailing;
    expect(mailing).toMatchObject({
      status: 'CREATED',
      disabled: false,
      startAt,
      endAt,
      recipientCount: 3,
      message: { id: messageId, subject: 'Weekly news' },
      owner: { id: user.user.id },
      editableFields: ['startAt', 'endAt', 'messageId', 'recipientIds'],
    });
    const emails = mailing.recipients.map((r: { email: string }) => r.email);
    expect(emails).toEqual([...emails].sort());
    expect(mailing.recipients.map((r: { id: string }) => r.id).sort()).toEqual([...recipientIds].sort());
  });

  it('lists with pagination, search over the message subject and a status filter', async () => {
    const { user, recipientIds } = await sender();
    const pizza = await createMessage(t, user, 'Pizza Friday');
    const sushi = await createMessage(t, user, 'Sushi_Monday');
    const first = await createMailing(t, user, { messageId: pizza, recipientIds });
    const second = await createMailing(t, user, { messageId: sushi, recipientIds });
    await createMailing(t, user, { messageId: sushi, recipientIds });
    await setStatus(first, MailingStatus.RUNNING);

    const page = ok(await t.gql(LIST, { offset: 1, limit: 1 }, user)).mailings;
    expect(page.total).toBe(3);
    expect(page.items.map((m: { id: string }) => m.id)).toEqual([second]);

    const found = ok(await t.gql(LIST, { search: 'pizza' }, user)).mailings;
    expect(found.items.map((m: { id: string }) => m.id)).toEqual([first]);
    expect(ok(await t.gql(LIST, { search: 'i_m' }, user)).mailings.total).toBe(2);
    expect(ok(await t.gql(LIST, { search: 'i%m' }, user)).mailings.total).toBe(0);

    const running = ok(await t.gql(LIST, { status: 'RUNNING' }, user)).mailings;
    expect(running.items.map((m: { id: string }) => m.id)).toEqual([first]);
  });

  it('updates only the fields given; recipientIds replaces the whole set', async () => {
    const { user, messageId, recipientIds } = await sender();
    const id = await createMailing(t, user, { messageId, recipientIds: recipientIds.slice(0, 2) });
    const before = ok(await t.gql(GET, { id }, user)).mailing;
    const otherMessage = await createMessage(t, user, 'Second thoughts');
    const endAt = hoursFromNow(10);

    const updated = ok(
      await t.gql(UPDATE, { id, input: { endAt, messageId: otherMessage, recipientIds: [recipientIds[2]] } }, user),
    ).updateMailing;
    expect(updated).toMatchObject({
      startAt: before.startAt,
      endAt,
      message: { id: otherMessage },
      recipientCount: 1,
      recipients: [{ id: recipientIds[2] }],
    });
    expect(ok(await t.gql(GET, { id }, user)).mailing).toEqual(updated);
  });

  it('deletes a mailing', async () => {
    const { user, messageId, recipientIds } = await sender();
    const id = await createMailing(t, user, { messageId, recipientIds });
    expect(ok(await t.gql(DELETE, { id }, user)).deleteMailing).toBe(id);
    expect(code(await t.gql(GET, { id }, user))).toBe('NOT_FOUND');
    expect(await total(user)).toBe(0);
  });

  it('rejects bad windows and recipient lists with the field named, saving nothing', async () => {
    const { user, messageId, recipientIds } = await sender();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ startAt: hoursFromNow(3), endAt: hoursFromNow(2) }, 'endAt'],
      [{ startAt: hoursFromNow(2), endAt: hoursFromNow(2) }, 'endAt'],
      [{ startAt: hoursFromNow(-3), endAt: hoursFromNow(-1) }, 'endAt'],
      [{ recipientIds: [] }, 'recipientIds'],
      [{ recipientIds: ['not-a-uuid'] }, 'recipientIds'],
      [{ messageId: 'not-a-uuid' }, 'messageId'],
    ];
    for (const [change, field] of cases) {
      const input = { startAt: hoursFromNow(1), endAt: hoursFromNow(2), messageId, recipientIds, ...change };
      const res = await t.gql(CREATE_MAILING, { input }, user);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await total(user)).toBe(0);
  });

  it('accepts a start in the past when the end is still ahead', async () => {
    const { user, messageId, recipientIds } = await sender();
    const res = await t.gql(CREATE_MAILING, { input: { startAt: hoursFromNow(-1), endAt: hoursFromNow(1), messageId, recipientIds } }, user);
    expect(res.errors).toBeUndefined();
  });

  it('rejects an update that puts the end before the start and keeps the mailing as it was', async () => {
    const { user, messageId, recipientIds } = await sender();
    const id = await createMailing(t, user, { messageId, recipientIds });
    const before = ok(await t.gql(GET, { id }, user)).mailing;
    const res = await t.gql(UPDATE, { id, input: { startAt: hoursFromNow(3), endAt: hoursFromNow(2.5), recipientIds: [recipientIds[0]] } }, user);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endAt' });
    expect(ok(await t.gql(GET, { id }, user)).mailing).toEqual(before);
  });

  it("answers NOT_FOUND for another owner's message, recipients and mailings, changing nothing", async () => {
    const a = await sender();
    const b = await sender();
    const input = { startAt: hoursFromNow(1), endAt: hoursFromNow(2) };

    const foreignMessage = await t.gql(CREATE_MAILING, { input: { ...input, messageId: a.messageId, recipientIds: b.recipientIds } }, b.user);
    expect(foreignMessage.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'messageId' });
    const foreignRecipient = await t.gql(
      CREATE_MAILING,
      { input: { ...input, messageId: b.messageId, recipientIds: [b.recipientIds[0], a.recipientIds[1]] } },
      b.user,
    );
    expect(foreignRecipient.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'recipientIds' });
    expect(foreignRecipient.errors?.[0].message).toContain(a.recipientIds[1]);
    expect(await total(b.user)).toBe(0);

    const mine = await createMailing(t, b.user, { messageId: b.messageId, recipientIds: b.recipientIds });
    const before = ok(await t.gql(GET, { id: mine }, b.user)).mailing;
    const steal = await t.gql(UPDATE, { id: mine, input: { recipientIds: [a.recipientIds[0]] } }, b.user);
    expect(steal.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'recipientIds' });
    const stealMessage = await t.gql(UPDATE, { id: mine, input: { messageId: a.messageId } }, b.user);
    expect(stealMessage.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'messageId' });
    expect(ok(await t.gql(GET, { id: mine }, b.user)).mailing).toEqual(before);

    const theirs = await createMailing(t, a.user, { messageId: a.messageId, recipientIds: a.recipientIds });
    expect(code(await t.gql(GET, { id: theirs }, b.user))).toBe('NOT_FOUND');
    expect(code(await t.gql(UPDATE, { id: theirs, input: { endAt: hoursFromNow(9) } }, b.user))).toBe('NOT_FOUND');
    expect(code(await t.gql(DELETE, { id: theirs }, b.user))).toBe('NOT_FOUND');
    expect(code(await t.gql(GET, { id: 'nope' }, b.user))).toBe('NOT_FOUND');
    expect(ok(await t.gql(GET, { id: theirs }, a.user)).mailing.recipientCount).toBe(3);
  });

  it('lets a manager list everyone’s mailings and switch them off and on, but not write them', async () => {
    const a = await sender('From A');
    const b = await sender('From B');
    const manager = await t.createUser({ role: Role.MANAGER });
    const mailingA = await createMailing(t, a.user, { messageId: a.messageId, recipientIds: a.recipientIds });
    const mailingB = await createMailing(t, b.user, { messageId: b.messageId, recipientIds: b.recipientIds });

    const all = ok(await t.gql(LIST, { limit: 200 }, manager)).mailings.items as Array<{ id: string; owner: { id: string } }>;
    expect(all.find((m) => m.id === mailingA)?.owner.id).toBe(a.user.user.id);
    expect(all.find((m) => m.id === mailingB)?.owner.id).toBe(b.user.user.id);

    const create = await t.gql(CREATE_MAILING, { input: { startAt: hoursFromNow(1), endAt: hoursFromNow(2), messageId: a.messageId, recipientIds: a.recipientIds } }, manager);
    expect(code(create)).toBe('FORBIDDEN');
    expect(code(await t.gql(UPDATE, { id: mailingA, input: { endAt: hoursFromNow(9) } }, manager))).toBe('FORBIDDEN');
    expect(code(await t.gql(DELETE, { id: mailingA }, manager))).toBe('FORBIDDEN');

    expect(ok(await t.gql(DISABLE, { id: mailingA }, manager)).disableMailing).toEqual({ id: mailingA, disabled: true });
    expect(ok(await t.gql(GET, { id: mailingA }, a.user)).mailing.disabled).toBe(true);
    expect(ok(await t.gql(ENABLE, { id: mailingA }, manager)).enableMailing).toEqual({ id: mailingA, disabled: false });
    expect(code(await t.gql(DISABLE, { id: 'not-a-uuid' }, manager))).toBe('NOT_FOUND');
  });

  it('does not let a user switch a mailing off, not even their own', async () => {
    const { user, messageId, recipientIds } = await sender();
    const id = await createMailing(t, user, { messageId, recipientIds });
    expect(code(await t.gql(DISABLE, { id }, user))).toBe('FORBIDDEN');
    expect(ok(await t.gql(GET, { id }, user)).mailing.disabled).toBe(false);
  });

  it('lets only the end and recipients of a running mailing change, and nothing of a finished one', async () => {
    const { user, messageId, recipientIds } = await sender();
    const id = await createMailing(t, user, { messageId, recipientIds });
    const before = ok(await t.gql(GET, { id }, user)).mailing;

    await setStatus(id, MailingStatus.RUNNING);
    const moveStart = await t.gql(UPDATE, { id, input: { startAt: hoursFromNow(1.5) } }, user);
    expect(moveStart.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'startAt' });
    expect(moveStart.errors?.[0].message).toMatch(/only its end time and recipients/);
    const sameValuesBack = ok(
      await t.gql(UPDATE, { id, input: { startAt: before.startAt, messageId, endAt: hoursFromNow(8), recipientIds: [recipientIds[0]] } }, user),
    ).updateMailing;
    expect(sameValuesBack).toMatchObject({ startAt: before.startAt, recipientCount: 1, editableFields: ['endAt', 'recipientIds'] });

    await setStatus(id, MailingStatus.FINISHED);
    const afterRun = ok(await t.gql(GET, { id }, user)).mailing;
    expect(afterRun.editableFields).toEqual([]);
    const extend = await t.gql(UPDATE, { id, input: { endAt: hoursFromNow(20) } }, user);
    expect(extend.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'endAt' });
    expect(ok(await t.gql(GET, { id }, user)).mailing).toEqual(afterRun);
  });

  it('tells the scheduler after each change has been committed', async () => {
    const { user, messageId, recipientIds } = await sender();
    const manager = await t.createUser({ role: Role.MANAGER });
    const scheduler = t.app.scheduler;
    const calls: Array<{ call: string; id: string; committedEndAt?: string; exists: boolean; disabled?: boolean; paused?: boolean }> = [];
    const observe = (call: 'mailingSaved' | 'mailingRemoved') => {
      const original = scheduler[call].bind(scheduler);
      jest.spyOn(scheduler, call).mockImplementation(async (id: string) => {
        const row = await t.app.orm.em.fork().findOne(Mailing, id);
        calls.push({ call, id, exists: !!row, committedEndAt: row?.endAt.toISOString(), disabled: row?.disabled, paused: row?.paused });
        return original(id);
      });
    };
    observe('mailingSaved');
    observe('mailingRemoved');

    const id = await createMailing(t, user, { messageId, recipientIds });
    const endAt = hoursFromNow(7);
    ok(await t.gql(UPDATE, { id, input: { endAt } }, user));
    ok(await t.gql(DISABLE, { id }, manager));
    ok(await t.gql(UPDATE, { id, input: { endAt: hoursFromNow(6) } }, user));
    ok(await t.gql(ENABLE, { id }, manager));
    ok(await t.gql(DELETE, { id }, user));

    expect(calls.map(({ call, exists, disabled, paused }) => ({ call, exists, disabled, paused }))).toEqual([
      { call: 'mailingSaved', exists: true, disabled: false, paused: false },
      { call: 'mailingSaved', exists: true, disabled: false, paused: false },
      { call: 'mailingRemoved', exists: true, disabled: true, paused: false },
      // the update of a disabled mailing plans nothing
      { call: 'mailingSaved', exists: true, disabled: false, paused: false },
      // deleting pauses it first, so that its sending has stopped before its rows go
      { call: 'mailingSaved', exists: true, disabled: false, paused: true },
      { call: 'mailingRemoved', exists: false, disabled: undefined, paused: undefined },
    ]);
    expect(calls.every((c) => c.id === id)).toBe(true);
    expect(calls[1].committedEndAt).toBe(endAt);
  });

  it(`takes up to ${MAX_RECIPIENTS} recipients in one request and refuses more`, async () => {
    const user = await t.createUser();
    const messageId = await createMessage(t, user);
    const rows = await t.app.orm.em.getConnection().execute<Array<{ id: string }>>(
      `insert into recipients (id, email, owner_id)
       select gen_random_uuid(), 'bulk' || n || '@example.com', ? from generate_series(1, ?) n returning id`,
      [user.user.id, MAX_RECIPIENTS],
    );
    const ids = rows.map((r) => r.id);
    const input = { startAt: hoursFromNow(1), endAt: hoursFromNow(2), messageId };

    const tooMany = await t.gql(CREATE_MAILING, { input: { ...input, recipientIds: [...ids, ids[0].replace(/.$/, (c) => (c === '0' ? '1' : '0'))] } }, user);
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipientIds' });
    expect(tooMany.errors?.[0].message).toBe(`A mailing has at most ${MAX_RECIPIENTS} recipients.`);

    const res = await t.gql(`mutation($input: MailingInput!) { createMailing(input: $input) { recipientCount } }`, { input: { ...input, recipientIds: ids } }, user);
    expect(ok(res).createMailing.recipientCount).toBe(MAX_RECIPIENTS);
  });

  it('answers UNAUTHENTICATED to anonymous callers', async () => {
    expect(code(await t.gql(LIST))).toBe('UNAUTHENTICATED');
  });
});
