import { randomUUID } from 'node:crypto';
import type { LogContext } from '@mikro-orm/core';
import { Session } from '../src/users/session.entity';
import { newToken } from '../src/auth/tokens';
import { User } from '../src/users/user.entity';
import { fixtureSchema, type Fixture } from '../src/cli/fixture-schema';
import { loadFixture } from '../src/cli/fixture-loader';
import type { TestApp, TestUser } from './harness';

/** Loads a fixture (the format of fixtures/demo.json) and opens a session for each of its users. */
export async function seedFixture(t: TestApp, fixture: unknown): Promise<Record<string, TestUser>> {
  const parsed: Fixture = fixtureSchema.parse(fixture);
  await t.app.orm.em.fork().transactional((em) => loadFixture(em, parsed));
  const em = t.app.orm.em.fork();
  const sessions: Record<string, TestUser> = {};
  for (const { email } of parsed.users) {
    const user = await em.findOneOrFail(User, { email });
    const { token, hash } = newToken();
    em.create(Session, { tokenHash: hash, user, expiresAt: new Date(Date.now() + 86_400_000) });
    sessions[email] = { user, token };
  }
  await em.flush();
  return sessions;
}

/** Runs one GraphQL request and returns its data with the SQL the ORM ran for it (tagged by request id). */
export async function withQueries(t: TestApp, query: string, variables: Record<string, unknown>, as: TestUser) {
  const requestId = randomUUID();
  const queries: string[] = [];
  const logger = t.app.orm.config.getLogger();
  const spy = jest.spyOn(logger, 'logQuery').mockImplementation((context: LogContext) => {
    if (context.requestId === requestId) queries.push(context.query ?? '');
  });
  try {
    const res = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${as.token}`, 'x-request-id': requestId },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    return { data: body.data!, queries };
  } finally {
    spy.mockRestore();
  }
}
