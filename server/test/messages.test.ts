import { startTestApp, type TestApp } from './harness';
import { Role } from '../src/common/actor';
import { createMailing, createMessage, createRecipients, ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const CREATE = `mutation($input: MessageInput!) { createMessage(input: $input) { id subject body mailingCount owner { id } } }`;
const LIST = `query($search: String, $offset: Int, $limit: Int) {
  messages(search: $search, offset: $offset, limit: $limit) { total offset limit items { id subject } }
}`;
const GET = `query($id: ID!) { message(id: $id) { id subject body mailingCount } }`;
const UPDATE = `mutation($id: ID!, $input: MessageUpdateInput!) { updateMessage(id: $id, input: $input) { id subject body } }`;
const DELETE = `mutation($id: ID!) { deleteMessage(id: $id) }`;

describe('messages', () => {
  it('creates, reads, updates and deletes own messages', async () => {
    const owner = await t.createUser();
    const created = ok(await t.gql(CREATE, { input: { subject: '  Spring sale  ', body: 'Everything -20%' } }, owner));
    expect(created.createMessage).toMatchObject({
      subject: 'Spring sale',
      body: 'Everything -20%',
      mailingCount: 0,
      owner: { id: owner.user.id },
    });
    const id = created.createMessage.id;

    expect(ok(await t.gql(GET, { id }, owner)).message).toMatchObject({ id, subject: 'Spring sale' });

    const updated = ok(await t.gql(UPDATE, { id, input: { body: 'Everything -30%' } }, owner));
    expect(updated.updateMessage).toEqual({ id, subject: 'Spring sale', body: 'Everything -30%' });
    const nullSubject = ok(await t.gql(UPDATE, { id, input: { subject: null } }, owner));
    expect(nullSubject.updateMessage.subject).toBe('Spring sale');

    expect(ok(await t.gql(DELETE, { id }, owner)).deleteMessage).toBe(id);
    const gone = await t.gql(GET, { id }, owner);
    expect(gone.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('paginates newest first and searches subject and body literally', async () => {
    const owner = await t.createUser();
    await createMessage(t, owner, 'First', 'about cats');
    await createMessage(t, owner, 'Second', 'about dogs');
    await createMessage(t, owner, 'Third 100% off', 'about birds');

    const page = ok(await t.gql(LIST, { offset: 1, limit: 1 }, owner)).messages;
    expect(page).toMatchObject({ total: 3, offset: 1, limit: 1, items: [{ subject: 'Second' }] });

    const bySubject = ok(await t.gql(LIST, { search: 'thIRD' }, owner)).messages;
    expect(bySubject.items.map((m: { subject: string }) => m.subject)).toEqual(['Third 100% off']);
    const byBody = ok(await t.gql(LIST, { search: 'DOGS' }, owner)).messages;
    expect(byBody.items.map((m: { subject: string }) => m.subject)).toEqual(['Second']);
    const wildcard = ok(await t.gql(LIST, { search: '%' }, owner)).messages;
    expect(wildcard.total).toBe(1);
  });

  it('rejects a blank or oversized subject and an oversized body, naming the field and saving nothing', async () => {
    const owner = await t.createUser();
    const cases: Array<[{ subject: string; body: string }, string]> = [
      [{ subject: '', body: 'x' }, 'subject'],
      [{ subject: '   ', body: 'x' }, 'subject'],
      [{ subject: 's'.repeat(301), body: 'x' }, 'subject'],
      [{ subject: 'ok', body: '' }, 'body'],
      [{ subject: 'ok', body: 'b'.repeat(100_001) }, 'body'],
    ];
    for (const [input, field] of cases) {
      const res = await t.gql(CREATE, { input }, owner);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(ok(await t.gql(LIST, {}, owner)).messages.total).toBe(0);

    const longest = await t.gql(CREATE, { input: { subject: 's'.repeat(300), body: 'b'.repeat(100_000) } }, owner);
    expect(longest.errors).toBeUndefined();
  });

  it("answers NOT_FOUND for another owner's message and for ids that are not ids", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const id = await createMessage(t, a, 'Private');

    for (const [query, vars] of [
      [GET, { id }],
      [UPDATE, { id, input: { subject: 'Hijacked' } }],
      [DELETE, { id }],
      [GET, { id: 'not-a-uuid' }],
      [DELETE, { id: 'not-a-uuid' }],
    ] as const) {
      const res = await t.gql(query, vars, b);
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
    expect(ok(await t.gql(LIST, {}, b)).messages.total).toBe(0);
    expect(ok(await t.gql(GET, { id }, a)).message.subject).toBe('Private');
  });

  it('lets a manager read everyone’s messages but not write any', async () => {
    const owner = await t.createUser();
    const manager = await t.createUser({ role: Role.MANAGER });
    const id = await createMessage(t, owner, 'Seen by managers');

    const seen = ok(await t.gql(GET, { id }, manager)).message;
    expect(seen.subject).toBe('Seen by managers');
    expect(ok(await t.gql(LIST, { search: 'Seen by managers' }, manager)).messages.total).toBe(1);

    const create = await t.gql(CREATE, { input: { subject: 'x', body: 'y' } }, manager);
    expect(create.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const update = await t.gql(UPDATE, { id, input: { subject: 'Changed' } }, manager);
    expect(update.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const del = await t.gql(DELETE, { id }, manager);
    expect(del.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(ok(await t.gql(GET, { id }, owner)).message.subject).toBe('Seen by managers');
  });

  it('refuses to delete a message that mailings use, saying how many, and keeps it', async () => {
    const owner = await t.createUser();
    const id = await createMessage(t, owner, 'In use');
    const recipientIds = await createRecipients(t, owner, 1);
    const first = await createMailing(t, owner, { messageId: id, recipientIds });
    const second = await createMailing(t, owner, { messageId: id, recipientIds });

    expect(ok(await t.gql(GET, { id }, owner)).message.mailingCount).toBe(2);
    const refused = await t.gql(DELETE, { id }, owner);
    expect(refused.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(refused.errors?.[0].message).toMatch(/used by 2 mailings/);
    expect(ok(await t.gql(GET, { id }, owner)).message.subject).toBe('In use');

    for (const mailing of [first, second]) {
      ok(await t.gql(`mutation($id: ID!) { deleteMailing(id: $id) }`, { id: mailing }, owner));
    }
    expect(ok(await t.gql(DELETE, { id }, owner)).deleteMessage).toBe(id);
  });

  it('answers UNAUTHENTICATED to anonymous callers', async () => {
    const res = await t.gql(LIST);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
