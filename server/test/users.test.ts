import { Session } from '../src/users/session.entity';
import { Recipient } from '../src/recipients/recipient.entity';
import { Role } from '../src/common/actor';
import { User } from '../src/users/user.entity';
import { startTestApp, type TestApp, type TestUser } from './harness';

let t: TestApp;
let admin: TestUser;
let manager: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  admin = await t.createUser({ role: Role.ADMIN });
  manager = await t.createUser({ role: Role.MANAGER });
});
afterAll(() => t?.close());

const LIST = `query($search: String, $role: Role, $blocked: Boolean, $offset: Int, $limit: Int) {
  users(search: $search, role: $role, blocked: $blocked, offset: $offset, limit: $limit) { total offset limit items { id email role blocked } } }`;
const GET = `query($id: ID!) { user(id: $id) { id email fullName phone country avatarUrl role blocked emailVerifiedAt } }`;
const CREATE = `mutation($input: UserInput!) { createUser(input: $input) { id email fullName role blocked emailVerifiedAt } }`;
const UPDATE = `mutation($id: ID!, $input: UserUpdateInput!) { updateUser(id: $id, input: $input) { id email fullName phone country avatarUrl role } }`;
const DELETE = `mutation($id: ID!) { deleteUser(id: $id) }`;
const BLOCK = `mutation($id: ID!) { blockUser(id: $id) { id blocked } }`;
const UNBLOCK = `mutation($id: ID!) { unblockUser(id: $id) { id blocked } }`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const ME = `{ me { id } }`;
const PASSWORD = 'correct horse battery';

let seq = 0;
const freshEmail = () => `member-${Date.now()}-${++seq}@example.test`;
const db = () => t.app.orm.em.fork();
const code = (res: { errors?: Array<{ extensions?: { code?: string } }> }) => res.errors?.[0].extensions?.code;

describe('admin manages accounts', () => {
  it('creates a verified account that can log in at once, reads, edits and finds it', async () => {
    const email = freshEmail();
    const created = await t.gql(
      CREATE,
      { input: { email: email.toUpperCase(), password: PASSWORD, fullName: 'Mia Manager', phone: '+47 123', country: 'Norway', role: 'MANAGER' } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    const { id } = created.data!.createUser;
    expect(created.data!.createUser).toMatchObject({ email, fullName: 'Mia Manager', role: 'MANAGER', blocked: false });
    expect(created.data!.createUser.emailVerifiedAt).not.toBeNull();
    expect((await t.gql(LOGIN, { email, password: PASSWORD })).errors).toBeUndefined();

    const updated = await t.gql(
      UPDATE,
      { id, input: { fullName: 'Mia Lund', avatarUrl: 'http://img.example.test/mia.png', role: 'USER' } },
      admin,
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateUser).toMatchObject({ email, fullName: 'Mia Lund', phone: '+47 123', avatarUrl: 'http://img.example.test/mia.png', role: 'USER' });

    const read = await t.gql(GET, { id }, admin);
    expect(read.data!.user).toMatchObject({ id, fullName: 'Mia Lund', role: 'USER' });

    const found = await t.gql(LIST, { search: 'lund', role: 'USER' }, admin);
    expect(found.data!.users.items.map((u: { id: string }) => u.id)).toEqual([id]);
    expect((await t.gql(LIST, { search: 'lund', role: 'ADMIN' }, admin)).data!.users.total).toBe(0);
  });

  it('pages the list and filters by blocked', async () => {
    const blocked = await t.createUser({ blocked: true });
    const all = await t.gql(LIST, { limit: 200 }, admin);
    const total = all.data!.users.total as number;
    expect(total).toBeGreaterThanOrEqual(3);
    const page = await t.gql(LIST, { offset: 1, limit: 2 }, admin);
    expect(page.data!.users).toMatchObject({ total, offset: 1, limit: 2 });
    expect(page.data!.users.items).toEqual(all.data!.users.items.slice(1, 3));

    const onlyBlocked = await t.gql(LIST, { blocked: true, limit: 200 }, admin);
    expect(onlyBlocked.data!.users.items.map((u: { id: string }) => u.id)).toContain(blocked.user.id);
    expect(onlyBlocked.data!.users.items.every((u: { blocked: boolean }) => u.blocked)).toBe(true);

    const tooMany = await t.gql(LIST, { limit: 1000 }, admin);
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });

  it('deletes an account with its data', async () => {
    const victim = await t.createUser();
    const recipient = await t.gql(`mutation { createRecipient(input: { email: "r@example.test" }) { id } }`, {}, victim);
    expect(recipient.errors).toBeUndefined();

    expect((await t.gql(DELETE, { id: victim.user.id }, admin)).data).toEqual({ deleteUser: victim.user.id });
    expect(code(await t.gql(GET, { id: victim.user.id }, admin))).toBe('NOT_FOUND');
    expect(await db().count(Recipient, { id: recipient.data!.createRecipient.id })).toBe(0);
    expect(await db().count(Session, { user: victim.user.id })).toBe(0);
    expect((await t.gql(ME, {}, victim)).data).toEqual({ me: null });
    expect(code(await t.gql(DELETE, { id: victim.user.id }, admin))).toBe('NOT_FOUND');
  });

  it('cannot delete itself or change its own role', async () => {
    const self = await t.gql(DELETE, { id: admin.user.id }, admin);
    expect(self.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(self.errors?.[0].message).toMatch(/own account/);
    const demote = await t.gql(UPDATE, { id: admin.user.id, input: { role: 'USER' } }, admin);
    expect(demote.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'role' });
    expect((await db().findOneOrFail(User, admin.user.id)).role).toBe(Role.ADMIN);
  });

  it('answers CONFLICT for a taken email and changes nothing', async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    const before = (await t.gql(LIST, {}, admin)).data!.users.total;
    const dup = await t.gql(CREATE, { input: { email: a.user.email.toUpperCase(), password: PASSWORD } }, admin);
    expect(dup.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect((await t.gql(LIST, {}, admin)).data!.users.total).toBe(before);

    const taken = await t.gql(UPDATE, { id: b.user.id, input: { email: a.user.email, fullName: 'Changed' } }, admin);
    expect(taken.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'email' });
    expect((await t.gql(GET, { id: b.user.id }, admin)).data!.user).toMatchObject({ email: b.user.email, fullName: 'Test User' });
  });

  it.each([
    ['email', { email: 'nope', password: PASSWORD }],
    ['password', { email: 'EMAIL', password: '1234567' }],
    ['phone', { email: 'EMAIL', password: PASSWORD, phone: 'ring ring' }],
  ])('rejects a bad %s on create with BAD_USER_INPUT and creates nothing', async (field, input) => {
    const email = freshEmail();
    const before = (await t.gql(LIST, {}, admin)).data!.users.total;
    const res = await t.gql(CREATE, { input: { ...input, email: input.email === 'EMAIL' ? email : input.email } }, admin);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await t.gql(LIST, {}, admin)).data!.users.total).toBe(before);
  });

  it.each([
    ['avatarUrl', { avatarUrl: 'not a url' }],
    ['email', { email: 'still not an email' }],
    ['country', { country: 'x'.repeat(101) }],
  ])('rejects a bad %s on update with BAD_USER_INPUT and changes nothing', async (field, input) => {
    const target = await t.createUser();
    const res = await t.gql(UPDATE, { id: target.user.id, input: { fullName: 'Changed', ...input } }, admin);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await t.gql(GET, { id: target.user.id }, admin)).data!.user).toMatchObject({
      email: target.user.email,
      fullName: 'Test User',
      country: '',
      avatarUrl: null,
    });
  });

  it('answers NOT_FOUND for an unknown or malformed id', async () => {
    expect(code(await t.gql(GET, { id: '00000000-0000-4000-8000-000000000000' }, admin))).toBe('NOT_FOUND');
    expect(code(await t.gql(GET, { id: 'not-a-uuid' }, admin))).toBe('NOT_FOUND');
    expect(code(await t.gql(UPDATE, { id: 'not-a-uuid', input: { fullName: 'x' } }, admin))).toBe('NOT_FOUND');
  });
});

describe('who may do what', () => {
  it('a manager reads accounts but cannot create, edit or delete them', async () => {
    const target = await t.createUser();
    expect((await t.gql(GET, { id: target.user.id }, manager)).data!.user.email).toBe(target.user.email);
    expect((await t.gql(LIST, {}, manager)).errors).toBeUndefined();

    const email = freshEmail();
    expect(code(await t.gql(CREATE, { input: { email, password: PASSWORD } }, manager))).toBe('FORBIDDEN');
    expect(code(await t.gql(UPDATE, { id: target.user.id, input: { fullName: 'Hacked' } }, manager))).toBe('FORBIDDEN');
    expect(code(await t.gql(DELETE, { id: target.user.id }, manager))).toBe('FORBIDDEN');
    expect(await db().count(User, { email })).toBe(0);
    expect((await db().findOneOrFail(User, target.user.id)).fullName).toBe('Test User');
  });

  it('a plain user can neither list, read, manage nor block accounts', async () => {
    const plain = await t.createUser();
    const other = await t.createUser();
    expect(code(await t.gql(LIST, {}, plain))).toBe('FORBIDDEN');
    expect(code(await t.gql(GET, { id: other.user.id }, plain))).toBe('FORBIDDEN');
    expect(code(await t.gql(CREATE, { input: { email: freshEmail(), password: PASSWORD } }, plain))).toBe('FORBIDDEN');
    expect(code(await t.gql(BLOCK, { id: other.user.id }, plain))).toBe('FORBIDDEN');
    expect((await db().findOneOrFail(User, other.user.id)).blocked).toBe(false);
  });

  it('anonymous callers get UNAUTHENTICATED', async () => {
    expect(code(await t.gql(LIST))).toBe('UNAUTHENTICATED');
    expect(code(await t.gql(BLOCK, { id: admin.user.id }))).toBe('UNAUTHENTICATED');
  });
});

describe('blocking', () => {
  it("stops the user's existing token on the very next request and refuses login until unblocked", async () => {
    const target = await t.createUser({ password: PASSWORD });
    const loggedIn = await t.gql(LOGIN, { email: target.user.email, password: PASSWORD });
    const loginToken = loggedIn.data!.login.token as string;
    expect((await t.gql(ME, {}, target)).data!.me.id).toBe(target.user.id);

    expect((await t.gql(BLOCK, { id: target.user.id }, manager)).data!.blockUser).toEqual({ id: target.user.id, blocked: true });
    for (const token of [target.token, loginToken]) {
      expect((await t.gql(ME, {}, token)).data).toEqual({ me: null });
      expect(code(await t.gql(`{ recipients { total } }`, {}, token))).toBe('UNAUTHENTICATED');
    }
    expect(await db().count(Session, { user: target.user.id })).toBe(0);

    const refused = await t.gql(LOGIN, { email: target.user.email, password: PASSWORD });
    expect(code(refused)).toBe('FORBIDDEN');
    expect(refused.errors?.[0].message).toMatch(/account blocked/i);
    const wrongPassword = await t.gql(LOGIN, { email: target.user.email, password: 'not the password' });
    expect(wrongPassword.errors?.[0].message).toBe('Wrong email or password.');

    expect((await t.gql(UNBLOCK, { id: target.user.id }, manager)).data!.unblockUser.blocked).toBe(false);
    const again = await t.gql(LOGIN, { email: target.user.email, password: PASSWORD });
    expect(again.errors).toBeUndefined();
    expect((await t.gql(ME, {}, again.data!.login.token)).data!.me.id).toBe(target.user.id);
  });

  it('nobody blocks themselves; a manager cannot block an admin; an admin can block a manager', async () => {
    const self = await t.gql(BLOCK, { id: manager.user.id }, manager);
    expect(self.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(code(await t.gql(BLOCK, { id: admin.user.id }, manager))).toBe('FORBIDDEN');
    expect((await db().findOneOrFail(User, admin.user.id)).blocked).toBe(false);
    expect((await t.gql(ME, {}, admin)).data!.me.id).toBe(admin.user.id);

    const otherManager = await t.createUser({ role: Role.MANAGER });
    expect((await t.gql(BLOCK, { id: otherManager.user.id }, admin)).data!.blockUser.blocked).toBe(true);
    expect((await t.gql(ME, {}, otherManager)).data).toEqual({ me: null });
  });
});
