import { startTestApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const CREATE = `mutation($input: RecipientInput!) { createRecipient(input: $input) { id email fullName comment } }`;
const LIST = `query($search: String, $offset: Int, $limit: Int) { recipients(search: $search, offset: $offset, limit: $limit) { total items { id email } } }`;

describe('recipients', () => {
  it('creates, lists with search, updates and deletes own recipients', async () => {
    const owner = await t.createUser();
    const created = await t.gql(CREATE, { input: { email: 'Ann@Example.com', fullName: 'Ann Lee' } }, owner);
    expect(created.errors).toBeUndefined();
    expect(created.data!.createRecipient).toMatchObject({ email: 'ann@example.com', fullName: 'Ann Lee', comment: '' });
    await t.gql(CREATE, { input: { email: 'bob@example.com', fullName: 'Bob' } }, owner);

    const found = await t.gql(LIST, { search: 'lee' }, owner);
    expect(found.data!.recipients.total).toBe(1);
    expect(found.data!.recipients.items[0].email).toBe('ann@example.com');

    const id = created.data!.createRecipient.id;
    const updated = await t.gql(
      `mutation($id: ID!) { updateRecipient(id: $id, input: { comment: "VIP" }) { comment email } }`,
      { id },
      owner,
    );
    expect(updated.data!.updateRecipient).toEqual({ comment: 'VIP', email: 'ann@example.com' });

    const deleted = await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id }, owner);
    expect(deleted.data!.deleteRecipient).toBe(id);
    expect((await t.gql(LIST, {}, owner)).data!.recipients.total).toBe(1);
  });

  it('refuses a duplicate email for the same owner with CONFLICT and changes nothing', async () => {
    const owner = await t.createUser();
    await t.gql(CREATE, { input: { email: 'dup@example.com' } }, owner);
    const again = await t.gql(CREATE, { input: { email: 'DUP@example.com' } }, owner);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect((await t.gql(LIST, {}, owner)).data!.recipients.total).toBe(1);
    const other = await t.createUser();
    const elsewhere = await t.gql(CREATE, { input: { email: 'dup@example.com' } }, other);
    expect(elsewhere.errors).toBeUndefined();
  });

  it('rejects an invalid email with BAD_USER_INPUT naming the field', async () => {
    const owner = await t.createUser();
    const bad = await t.gql(CREATE, { input: { email: 'not-an-email' } }, owner);
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'email' });
    expect((await t.gql(LIST, {}, owner)).data!.recipients.total).toBe(0);
  });

  it("answers NOT_FOUND for another owner's recipient", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const created = await t.gql(CREATE, { input: { email: 'x@example.com' } }, a);
    const id = created.data!.createRecipient.id;
    const read = await t.gql(`query($id: ID!) { recipient(id: $id) { id } }`, { id }, b);
    expect(read.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const del = await t.gql(`mutation($id: ID!) { deleteRecipient(id: $id) }`, { id }, b);
    expect(del.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const malformed = await t.gql(`query { recipient(id: "nope") { id } }`, {}, a);
    expect(malformed.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('treats null in an update as "leave unchanged"', async () => {
    const owner = await t.createUser();
    const created = await t.gql(CREATE, { input: { email: 'keep@example.com', fullName: 'Keep' } }, owner);
    const res = await t.gql(
      `mutation($id: ID!) { updateRecipient(id: $id, input: { email: null, fullName: "Kept" }) { email fullName } }`,
      { id: created.data!.createRecipient.id },
      owner,
    );
    expect(res.data!.updateRecipient).toEqual({ email: 'keep@example.com', fullName: 'Kept' });
  });

  it('answers UNAUTHENTICATED to anonymous callers', async () => {
    const res = await t.gql(LIST);
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
