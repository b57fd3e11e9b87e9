import { startTestApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
});
afterAll(() => t?.close());

it('GET /healthz answers ok while the database answers', async () => {
  const res = await fetch(`${t.url}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

it('refuses bad paging with BAD_USER_INPUT naming the field', async () => {
  const owner = await t.createUser();
  const res = await t.gql(`{ recipients(limit: 100000) { total } }`, {}, owner);
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
});

it('answers an unexpected failure as INTERNAL_SERVER_ERROR without SQL or stack trace', async () => {
  // Breaks its database on purpose, so it has one of its own.
  const broken = await startTestApp({ SERVER_ROLE: 'api' });
  try {
    const owner = await broken.createUser();
    await broken.app.orm.em.getConnection().execute('alter table messages rename to messages_gone');
    const res = await broken.gql(`{ messages { total } }`, {}, owner);
    expect(res.errors?.[0]).toMatchObject({
      message: 'Something went wrong on our side. Please try again later.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const body = JSON.stringify(res);
    expect(body).not.toMatch(/messages_gone|relation|select|stacktrace/i);
  } finally {
    await broken.close();
  }
});
