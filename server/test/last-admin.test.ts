import { Role } from '../src/common/actor';
import { User } from '../src/users/user.entity';
import { UserService } from '../src/users/user.service';
import { accountHooks } from '../src/mailings/mailing-hooks';
import { startTestApp, type TestApp, type TestUser } from './harness';

// A database of its own: every test here starts and ends with exactly one active admin.
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
  await t.createUser({ role: Role.ADMIN });
});
afterAll(() => t?.close());

const UPDATE = `mutation($id: ID!, $input: UserUpdateInput!) { updateUser(id: $id, input: $input) { id role } }`;
const DELETE = `mutation($id: ID!) { deleteUser(id: $id) }`;
const BLOCK = `mutation($id: ID!) { blockUser(id: $id) { id blocked } }`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const PASSWORD = 'correct horse battery';

const db = () => t.app.orm.em.fork();
const code = (res: { errors?: Array<{ extensions?: { code?: string } }> }) => res.errors?.[0].extensions?.code;

describe('the last active admin', () => {
  const activeAdmins = () => db().find(User, { role: Role.ADMIN, blocked: false });
  type Request = (id: string) => [query: string, variables: Record<string, unknown>];
  const rounds: Array<[string, Request]> = [
    ['demote', (id) => [UPDATE, { id, input: { role: 'USER' } }]],
    ['block', (id) => [BLOCK, { id }]],
    ['delete', (id) => [DELETE, { id }]],
  ];

  it.each(rounds)('two admins who %s each other at once leave one admin', async (_name, request) => {
    const [survivor] = await activeAdmins();
    const one: TestUser = { user: survivor, token: (await t.gql(LOGIN, { email: survivor.email, password: PASSWORD })).data!.login.token };
    const two = await t.createUser({ role: Role.ADMIN });
    expect((await activeAdmins()).map((u) => u.id).sort()).toEqual([one.user.id, two.user.id].sort());

    const answers = await Promise.all([t.gql(...request(two.user.id), one), t.gql(...request(one.user.id), two)]);
    expect(answers.filter((answer) => !answer.errors)).toHaveLength(1);
    const refused = answers.find((answer) => answer.errors)!;
    expect(['CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED']).toContain(code(refused));
    expect(await activeAdmins()).toHaveLength(1);
  });

  it('cannot be demoted, blocked or deleted, even by an admin whose rights were taken meanwhile', async () => {
    const [last] = await activeAdmins();
    const formerAdmin = await t.createUser({ role: Role.USER });
    const users = new UserService(db(), accountHooks(t.app.scheduler));
    const asFormerAdmin = { id: formerAdmin.user.id, role: Role.ADMIN };
    const lastAdmin = { code: 'CONFLICT', message: expect.stringMatching(/last active admin/) };

    await expect(users.update(asFormerAdmin, last.id, { role: Role.MANAGER })).rejects.toMatchObject({ ...lastAdmin, details: { field: 'role' } });
    await expect(users.setBlocked(asFormerAdmin, last.id, true)).rejects.toMatchObject({ ...lastAdmin, details: { field: 'id' } });
    await expect(users.delete(asFormerAdmin, last.id)).rejects.toMatchObject({ ...lastAdmin, details: { field: 'id' } });
    expect(await db().findOneOrFail(User, last.id)).toMatchObject({ role: Role.ADMIN, blocked: false });

    // A blocked admin does not count: the last active one stays, and the blocked one may go.
    const blockedAdmin = await t.createUser({ role: Role.ADMIN, blocked: true });
    await expect(users.setBlocked(asFormerAdmin, last.id, true)).rejects.toMatchObject(lastAdmin);
    expect((await users.update(asFormerAdmin, blockedAdmin.user.id, { role: Role.USER })).role).toBe(Role.USER);
  });
});
