import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { startTestApp, type TestApp } from './harness';
import { createMailing, createMessage, createRecipients, ok } from './mailing-helpers';
import { FAST_SENDING, attemptsOf, runClosed } from './sending-fixtures';

/*
 * SERVER_ROLE: an API process plans mailings, a worker process on the same database sends them.
 * The worker scans for due jobs only every WORKER_SCAN_MS: what it sends sooner, it was told of.
 */
const WORKER_SCAN_MS = 120_000;
let api: TestApp;
let worker: App;
let workerUrl: string;
beforeAll(async () => {
  api = await startTestApp({ ...FAST_SENDING, SERVER_ROLE: 'api' });
  worker = await createApp(
    loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: api.databaseUrl, ...FAST_SENDING, JOB_PROCESS_EVERY_MS: String(WORKER_SCAN_MS), SMTP_URL: api.smtp.url, SERVER_ROLE: 'worker' }),
  );
  workerUrl = await worker.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await worker?.close();
  await api?.close();
});

it('a worker serves its health and nothing of the API', async () => {
  const health = await fetch(`${workerUrl}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  const graphql = await fetch(`${workerUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
  expect(graphql.status).toBe(404);
  expect((await graphql.json()) as unknown).toMatchObject({ errors: [{ extensions: { code: 'NOT_FOUND' } }] });
});

it('a mailing created through the API process is sent by the worker process', async () => {
  const user = await api.createUser();
  const messageId = await createMessage(api, user);
  const recipientIds = await createRecipients(api, user, 3, 'roles');
  const startAt = new Date(Date.now() - 60_000).toISOString();
  const mailingId = await createMailing(api, user, { messageId, recipientIds, startAt });

  expect(await runClosed(api.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: 3, sentCount: 3 });
  expect(await attemptsOf(api.app, mailingId)).toHaveLength(1);
  const recipients = api.smtp.received.filter((mail) => mail.to.startsWith('roles'));
  expect(recipients).toHaveLength(3);
});

it('a mailing sent now through the API process goes out at once, not at the next scan of the worker for jobs', async () => {
  const user = await api.createUser();
  const messageId = await createMessage(api, user);
  const recipientIds = await createRecipients(api, user, 2, 'now');
  const mailingId = await createMailing(api, user, { messageId, recipientIds });

  const asked = Date.now();
  ok(await api.gql(`mutation($id: ID!) { sendMailingNow(id: $id) { id } }`, { id: mailingId }, user));
  const closed = await runClosed(api.app, mailingId, WORKER_SCAN_MS / 4);
  expect(closed).toMatchObject({ status: 'SUCCESS', total: 2, sentCount: 2 });
  expect(api.smtp.received.filter((mail) => mail.to.startsWith('now'))).toHaveLength(2);
  expect(Date.now() - asked).toBeLessThan(WORKER_SCAN_MS / 4);
});
