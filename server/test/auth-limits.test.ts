import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { Session } from '../src/users/session.entity';
import { startTestApp, type GqlResult, type TestApp } from './harness';
import { optionalService } from './optional-services';

const LIMITS = {
  LOGIN_ATTEMPTS_PER_ACCOUNT: '5',
  LOGIN_ATTEMPTS_PER_ADDRESS: '20',
  ACCOUNT_MAILS_PER_ACCOUNT: '3',
  ACCOUNT_MAILS_PER_ADDRESS: '8',
  AUTH_LIMIT_WINDOW_MINUTES: '15',
  // The tests play many clients: each request names its address in X-Forwarded-For, which the app trusts from loopback.
  TRUST_PROXY: 'loopback',
};

const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }`;
const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { id } }`;
const REQUEST_RESET = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const RESEND = `mutation($email: String!) { resendVerification(email: $email) }`;
const PASSWORD = 'correct horse battery';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp(LIMITS);
});
afterAll(() => t?.close());

let addresses = 0;
/** A client address no other request of this file used. */
const freshAddress = () => `198.51.${Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;
let emails = 0;
const freshEmail = () => `guess-${++emails}@example.test`;

/** A GraphQL request to the server at `url` from the client `address`. */
async function gqlFrom(url: string, address: string, query: string, variables: Record<string, unknown>): Promise<GqlResult> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ query, variables }),
  });
  return { ...((await res.json()) as Omit<GqlResult, 'cookies'>), cookies: res.headers.getSetCookie() };
}

const from = (address: string, query: string, variables: Record<string, unknown>) => gqlFrom(t.url, address, query, variables);
const code = (res: GqlResult) => res.errors?.[0].extensions?.code ?? 'OK';

function expectTooMany(res: GqlResult) {
  expect(res.errors?.[0].extensions?.code).toBe('TOO_MANY_REQUESTS');
  const retryAfter = res.errors?.[0].extensions?.retryAfterSeconds as number;
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(15 * 60);
  expect(res.errors?.[0].message).toMatch(/^Too many attempts — try again in \d+ minutes?\.$/);
}

/** The codes of the answers, counted: { UNAUTHENTICATED: 5, TOO_MANY_REQUESTS: 195 }. */
function tally(answers: GqlResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[code(answer)] = (counts[code(answer)] ?? 0) + 1;
  return counts;
}

describe('login', () => {
  it('refuses one account after its limit of wrong passwords from any address, and then the right password too', async () => {
    const { user } = await t.createUser({ password: PASSWORD });
    const answers: GqlResult[] = [];
    for (let i = 0; i < 200; i++) answers.push(await from(freshAddress(), LOGIN, { email: user.email, password: `guess ${i}` }));
    expect(tally(answers)).toEqual({ UNAUTHENTICATED: 5, TOO_MANY_REQUESTS: 195 });
    expect(answers.slice(0, 5).map(code)).toEqual(Array(5).fill('UNAUTHENTICATED'));
    expectTooMany(answers[5]);

    const right = await from(freshAddress(), LOGIN, { email: user.email.toUpperCase(), password: PASSWORD });
    expectTooMany(right);
    expect(right.cookies).toEqual([]);
    expect(await t.app.orm.em.fork().count(Session, { user })).toBe(1); // the harness's own session only
  });

  it('starts the account count again after a successful login', async () => {
    const { user } = await t.createUser({ password: PASSWORD });
    const wrong = () => from(freshAddress(), LOGIN, { email: user.email, password: 'not it' });
    for (let i = 0; i < 4; i++) expect(code(await wrong())).toBe('UNAUTHENTICATED');
    expect(code(await from(freshAddress(), LOGIN, { email: user.email, password: PASSWORD }))).toBe('OK');
    for (let i = 0; i < 5; i++) expect(code(await wrong())).toBe('UNAUTHENTICATED');
    expectTooMany(await wrong());
  });

  it('refuses one address after its limit of accounts tried, and only that address', async () => {
    const address = freshAddress();
    const answers: GqlResult[] = [];
    for (let i = 0; i < 200; i++) answers.push(await from(address, LOGIN, { email: freshEmail(), password: PASSWORD }));
    expect(tally(answers)).toEqual({ UNAUTHENTICATED: 20, TOO_MANY_REQUESTS: 180 });
    expectTooMany(answers[20]);

    const { user } = await t.createUser({ password: PASSWORD });
    expectTooMany(await from(address, LOGIN, { email: user.email, password: PASSWORD }));
    expect(code(await from(freshAddress(), LOGIN, { email: user.email, password: PASSWORD }))).toBe('OK');
  });
});

describe('registration, password reset and verification resend', () => {
  it('are limited together per account, from any address, and mail nothing once refused', async () => {
    const email = freshEmail();
    expect(code(await from(freshAddress(), REGISTER, { input: { email, password: PASSWORD } }))).toBe('OK');
    expect(code(await from(freshAddress(), RESEND, { email }))).toBe('OK');
    expect(code(await from(freshAddress(), REQUEST_RESET, { email }))).toBe('OK');
    await t.smtp.mailTo(email, { subject: 'Reset' });
    const mailed = t.smtp.countFor(email);

    expectTooMany(await from(freshAddress(), REQUEST_RESET, { email }));
    expectTooMany(await from(freshAddress(), RESEND, { email: email.toUpperCase() }));
    expectTooMany(await from(freshAddress(), REGISTER, { input: { email, password: PASSWORD } }));
    expect(t.smtp.countFor(email)).toBe(mailed);
  });

  it('are limited together per address, whatever the accounts', async () => {
    const address = freshAddress();
    const requests: Array<[string, (email: string) => Record<string, unknown>]> = [
      [REGISTER, (email) => ({ input: { email, password: PASSWORD } })],
      [REQUEST_RESET, (email) => ({ email })],
      [RESEND, (email) => ({ email })],
    ];
    const answers: GqlResult[] = [];
    for (let i = 0; i < 30; i++) {
      const [query, variables] = requests[i % requests.length];
      answers.push(await from(address, query, variables(freshEmail())));
    }
    expect(tally(answers)).toEqual({ OK: 8, TOO_MANY_REQUESTS: 22 });
    expect(answers.slice(0, 8).map(code)).toEqual(Array(8).fill('OK'));
    for (const answer of answers.slice(8)) expectTooMany(answer);
    expect(code(await from(freshAddress(), REQUEST_RESET, { email: freshEmail() }))).toBe('OK');
  });
});

/** Another process of the service on the same database (and Redis, when given). */
async function secondInstance(overrides: Record<string, string> = {}): Promise<{ app: App; url: string }> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: t.databaseUrl,
    SMTP_URL: t.smtp.url,
    SERVER_ROLE: 'api',
    ...LIMITS,
    ...overrides,
  });
  const app = await createApp(config);
  return { app, url: await app.listen(0, '127.0.0.1') };
}

/** Wrong passwords for one account, taking turns between two instances: the sixth is refused wherever it lands. */
async function expectSharedAccountCount(firstUrl: string, secondUrl: string) {
  const { user } = await t.createUser({ password: PASSWORD });
  const answers: GqlResult[] = [];
  for (let i = 0; i < 10; i++) {
    answers.push(await gqlFrom(i % 2 ? secondUrl : firstUrl, freshAddress(), LOGIN, { email: user.email, password: 'not it' }));
  }
  expect(answers.map(code)).toEqual([...Array(5).fill('UNAUTHENTICATED'), ...Array(5).fill('TOO_MANY_REQUESTS')]);
}

describe('across processes', () => {
  it('two instances on one database share the counts (PostgreSQL)', async () => {
    const other = await secondInstance();
    try {
      await expectSharedAccountCount(t.url, other.url);
    } finally {
      await other.app.close();
    }
  });

  const redis = optionalService('TEST_REDIS_URL');
  redis.describe('with Redis', () => {
    it('two instances on one Redis share the counts', async () => {
      const [one, two] = [await secondInstance({ REDIS_URL: redis.url }), await secondInstance({ REDIS_URL: redis.url })];
      try {
        await expectSharedAccountCount(one.url, two.url);
      } finally {
        await one.app.close();
        await two.app.close();
      }
    });
  });
});
