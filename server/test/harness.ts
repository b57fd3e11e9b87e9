import { randomBytes } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { createApp, type App } from '../src/app';
import { loadConfig, type Config } from '../src/config';
import { Session } from '../src/users/session.entity';
import { newToken } from '../src/auth/tokens';
import { Role } from '../src/common/actor';
import { User } from '../src/users/user.entity';
import { createTestDatabase } from './db';
import { startTestSmtp, type TestSmtp } from './test-smtp';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string; [k: string]: unknown } }>;
  /** Set-Cookie headers of the response. */
  cookies: string[];
}

export interface TestUser {
  user: User;
  token: string;
}

export interface TestApp {
  app: App;
  url: string;
  /** The SMTP server all mail of this app goes to (SMTP_URL). */
  smtp: TestSmtp;
  databaseUrl: string;
  /** A GraphQL request over real HTTP; `as` is a bearer token or a test user. */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, as?: TestUser | string | { cookie: string }): Promise<GqlResult<T>>;
  /** Creates a verified account directly in the database and a session for it. */
  createUser(opts?: { role?: Role; email?: string; blocked?: boolean; password?: string }): Promise<TestUser>;
  close(): Promise<void>;
}

export async function startTestApp(
  overrides: Partial<Record<keyof Config, string>> = {},
  options: { logDestination?: DestinationStream } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const smtp = await startTestSmtp();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
    APP_URL: 'http://app.test',
    JOB_PROCESS_EVERY_MS: '100',
    // Tests of other things log in and sign up many times from one address; auth-limits.test.ts sets its own limits.
    LOGIN_ATTEMPTS_PER_ACCOUNT: '10000',
    LOGIN_ATTEMPTS_PER_ADDRESS: '100000',
    ACCOUNT_MAILS_PER_ACCOUNT: '10000',
    ACCOUNT_MAILS_PER_ADDRESS: '100000',
    ...overrides,
  });
  const app = await createApp(config, options);
  const url = await app.listen(0, '127.0.0.1');

  async function gql<T>(query: string, variables?: Record<string, unknown>, as?: TestUser | string | { cookie: string }): Promise<GqlResult<T>> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (typeof as === 'string') headers.authorization = `Bearer ${as}`;
    else if (as && 'cookie' in as) headers.cookie = as.cookie;
    else if (as) headers.authorization = `Bearer ${as.token}`;
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as Omit<GqlResult<T>, 'cookies'>;
    return { ...body, cookies: res.headers.getSetCookie() };
  }

  async function createUser(opts: { role?: Role; email?: string; blocked?: boolean; password?: string } = {}): Promise<TestUser> {
    const em = app.orm.em.fork();
    const argon2 = await import('@node-rs/argon2');
    const user = em.create(User, {
      email: opts.email ?? `user-${randomBytes(4).toString('hex')}@example.test`,
      passwordHash: await argon2.hash(opts.password ?? 'correct horse battery'),
      fullName: 'Test User',
      role: opts.role ?? Role.USER,
      blocked: opts.blocked ?? false,
      emailVerifiedAt: new Date(),
    });
    const { token, hash } = newToken();
    em.create(Session, { tokenHash: hash, user, expiresAt: new Date(Date.now() + 86400_000) });
    await em.flush();
    return { user, token };
  }

  return {
    app,
    url,
    smtp,
    databaseUrl: db.url,
    gql,
    createUser,
    async close() {
      await app.close();
      await smtp.close();
      await db.drop();
    },
  };
}
