import { randomUUID } from 'node:crypto';
import type { EntityClass } from '@mikro-orm/core';
import { DriverException } from '@mikro-orm/core';
import { Role } from '../src/common/actor';
import { UserToken } from '../src/auth/user-token.entity';
import { Mailing } from '../src/mailings/mailing.entity';
import { Message } from '../src/messages/message.entity';
import { MessageService } from '../src/messages/message.service';
import { Recipient } from '../src/recipients/recipient.entity';
import { Session } from '../src/users/session.entity';
import { User } from '../src/users/user.entity';
import { startTestApp, type GqlResult, type TestApp, type TestUser } from './harness';

interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string; message?: string };
  [key: string]: unknown;
}

const ERROR_LEVEL = 50;
const lines: string[] = [];
const logged = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);

let t: TestApp;
let admin: TestUser;
let owner: TestUser;
beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'debug' }, { logDestination: { write: (line: string) => void lines.push(line) } });
  admin = await t.createUser({ role: Role.ADMIN });
  owner = await t.createUser();
});
afterAll(() => t?.close());
beforeEach(() => {
  lines.length = 0;
});

const NUL = 'a\u0000b';
const LONE_SURROGATE = 'a\ud800b';
const PASSWORD = 'correct horse battery staple';

const TABLES: EntityClass<object>[] = [User, Session, UserToken, Recipient, Message, Mailing];
const rowCounts = async () => {
  const em = t.app.orm.em.fork();
  return Promise.all(TABLES.map((table) => em.count(table, {})));
};

/** Sends `query` and expects one BAD_USER_INPUT on `field`, no row changed and one info line about it. */
async function expectRefused(field: string, query: string, variables: Record<string, unknown>, as: TestUser | undefined = admin) {
  const before = await rowCounts();
  lines.length = 0;
  const res: GqlResult = await t.gql(query, variables, as);
  expect(res.data ?? null).toBeNull();
  expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } })]);
  expect(await rowCounts()).toEqual(before);
  const refusals = logged().filter((line) => line.msg === 'request refused');
  expect(refusals).toHaveLength(1);
  expect(refusals[0]).toMatchObject({ level: 30, refused: [{ code: 'BAD_USER_INPUT', field }] });
  expect(logged().filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
}

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { id } }`;
const CREATE_RECIPIENT = `mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }`;
const CREATE_MESSAGE = `mutation($input: MessageInput!) { createMessage(input: $input) { id } }`;
const UPDATE_MESSAGE = `mutation($id: ID!, $input: MessageUpdateInput!) { updateMessage(id: $id, input: $input) { id } }`;
const IMPORT = `mutation($rows: [RecipientImportRow!]!) { importRecipients(rows: $rows) { imported } }`;

describe('strings PostgreSQL cannot store are refused on their field before any SQL', () => {
  it.each([
    ['NUL', NUL],
    ['a lone surrogate', LONE_SURROGATE],
  ])('login email with %s', async (_name, bad) => {
    await expectRefused('email', LOGIN, { email: `${bad}@example.test`, password: PASSWORD }, undefined);
  });

  it('register fullName, without the password or its hash in the log', async () => {
    const email = `nul-${randomUUID()}@example.test`;
    await expectRefused('fullName', REGISTER, { input: { email, password: PASSWORD, fullName: NUL } }, undefined);
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(lines.join('')).not.toContain('$argon2');
    expect(lines.join('')).not.toContain(email);
  });

  it('recipient fields, in one recipient and in an import', async () => {
    await expectRefused('email', CREATE_RECIPIENT, { input: { email: `x${NUL}@example.test` } });
    await expectRefused('fullName', CREATE_RECIPIENT, { input: { email: 'ok@example.test', fullName: NUL } });
    await expectRefused('comment', CREATE_RECIPIENT, { input: { email: 'ok@example.test', comment: LONE_SURROGATE } });
    await expectRefused('fullName', IMPORT, { rows: [{ email: 'one@example.test' }, { email: 'two@example.test', fullName: NUL }] });
  });

  it('message fields, on create and update, as variables and as literals in the document', async () => {
    await expectRefused('subject', CREATE_MESSAGE, { input: { subject: NUL, body: 'Hello' } });
    await expectRefused('body', CREATE_MESSAGE, { input: { subject: 'Hi', body: `Hello ${NUL}` } });
    await expectRefused('body', UPDATE_MESSAGE, { id: randomUUID(), input: { body: NUL } });
    await expectRefused('body', `mutation { createMessage(input: { subject: "Hi", body: "x\\u0000y" }) { id } }`, {});
    await expectRefused('subject', `mutation($s: String! = "x\\u0000y") { createMessage(input: { subject: $s, body: "b" }) { id } }`, {});
  });

  const SEARCHES: Array<[string, string]> = [
    ['attemptDeliveries', `query($search: String) { attemptDeliveries(attemptId: "${randomUUID()}", search: $search) { total } }`],
    ['mailingReports', `query($search: String) { mailingReports(search: $search) { total } }`],
    ['mailings', `query($search: String) { mailings(search: $search) { total } }`],
    ['messages', `query($search: String) { messages(search: $search) { total } }`],
    ['recipients', `query($search: String) { recipients(search: $search) { total } }`],
    ['userStats', `query($search: String) { userStats(search: $search) { total } }`],
    ['users', `query($search: String) { users(search: $search) { total } }`],
    ['Mailing.recipientPage', `query($search: String) { mailing(id: "${randomUUID()}") { recipientPage(search: $search) { total } } }`],
  ];
  it.each(SEARCHES)('the search of %s', async (_name, query) => {
    await expectRefused('search', query, { search: NUL });
  });

  it('lets ordinary text through, other scripts and emoji (surrogate pairs) included', async () => {
    const res = await t.gql(CREATE_MESSAGE, { input: { subject: 'Grüße 👋', body: 'Καλημέρα — 你好 🎉' } }, owner);
    expect(res.errors).toBeUndefined();
  });
});

describe('errors an input causes are coded and logged once below error level', () => {
  it('60 nulls in recipientIds: every error is BAD_USER_INPUT (graphql-js stops at 50 with an error of its own)', async () => {
    const before = await rowCounts();
    const res = await t.gql(
      `mutation($input: MailingInput!) { createMailing(input: $input) { id } }`,
      { input: { messageId: randomUUID(), startAt: new Date().toISOString(), endAt: new Date(Date.now() + 86_400_000).toISOString(), recipientIds: Array(60).fill(null) } },
      admin,
    );
    expect(res.errors!.length).toBeGreaterThan(50);
    expect(res.errors!.map((error) => error.extensions?.code)).toEqual(res.errors!.map(() => 'BAD_USER_INPUT'));
    expect(res.errors!.at(-1)!.message).toMatch(/too many errors/i);
    expect(await rowCounts()).toEqual(before);
    expect(logged().filter((line) => line.msg === 'request refused')).toHaveLength(1);
    expect(logged().filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
  });

  it.each([
    ['a hash that does not match the query', { version: 1, sha256Hash: 'abc' }],
    ['an unknown version', { version: 2, sha256Hash: 'abc' }],
  ])('a persisted query with %s is BAD_REQUEST, not a server error', async (_name, persistedQuery) => {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }', extensions: { persistedQuery } }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: expect.any(String), extensions: { code: 'BAD_REQUEST' } }] });
    expect(logged().filter((line) => line.msg === 'request refused')).toEqual([expect.objectContaining({ level: 30, refused: [expect.objectContaining({ code: 'BAD_REQUEST' })] })]);
    expect(logged().filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
  });

  it('domain and validation errors are one info line without a stack', async () => {
    const res = await t.gql(LOGIN, { email: 'nobody@example.test', password: PASSWORD });
    expect(res.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    await t.gql(`{ nope }`);
    expect(logged().filter((line) => line.msg === 'request refused').map((line) => line.level)).toEqual([30, 30]);
    expect(lines.join('')).not.toContain('"stack"');
    expect(lines.join('')).not.toContain(PASSWORD);
    expect(logged().filter((line) => line.level >= ERROR_LEVEL)).toEqual([]);
  });
});

describe('a failing query', () => {
  it.each([
    ['through the ORM', (sql: string, params: unknown[]) => t.app.orm.em.fork().execute(sql, params), DriverException],
    ['on the raw connection', (sql: string, params: unknown[]) => t.app.orm.em.getConnection().execute(sql, params), Error],
  ])('%s is logged at error level with its stack and SQLSTATE, never its SQL or parameters', async (_name, run, kind) => {
    const secret = `secret-${randomUUID()}`;
    const error = await run('select ?::int as n', [secret]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(kind);
    expect(String((error as Error).message)).toContain(secret);

    t.app.logger.error({ requestId: 'req-1', err: error }, 'request failed');
    const [line] = logged();
    expect(line).toMatchObject({ level: ERROR_LEVEL, requestId: 'req-1', err: { message: expect.stringMatching(/^SQLSTATE 22P02/) } });
    expect(line.err?.stack).toMatch(/\n\s+at /);
    expect(lines.join('')).not.toContain(secret);
    expect(lines.join('')).not.toMatch(/select/i);
  });

  it('in a request answers INTERNAL_SERVER_ERROR and is one error line with the request id and stack, without SQL', async () => {
    const secret = `secret-${randomUUID()}`;
    const list = jest
      .spyOn(MessageService.prototype, 'list')
      .mockImplementation(() => t.app.orm.em.fork().execute('select ?::int as n', [secret]) as never);
    try {
      const res = await t.gql(`{ messages { total } }`, {}, owner);
      expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
    } finally {
      list.mockRestore();
    }
    const errors = logged().filter((line) => line.level >= ERROR_LEVEL);
    expect(errors).toEqual([expect.objectContaining({ msg: 'request failed', requestId: expect.stringMatching(/\S/) })]);
    expect(errors[0].err?.stack).toMatch(/^\w+: SQLSTATE 22P02[^\n]*\n\s+at /);
    expect(logged().filter((line) => line.msg === 'request refused')).toEqual([]);
    expect(lines.join('')).not.toContain(secret);
  });

  it('keeps passwords, tokens and bodies out of logged objects', () => {
    t.app.logger.warn({ password: PASSWORD, input: { token: 'tok-123', body: 'mail body' }, err: Object.assign(new Error('x'), { sql: 'select', params: ['p-1'] }) }, 'w');
    const text = lines.join('');
    for (const secret of [PASSWORD, 'tok-123', 'mail body', 'p-1']) expect(text).not.toContain(secret);
    expect(text).toContain('[redacted]');
  });
});
