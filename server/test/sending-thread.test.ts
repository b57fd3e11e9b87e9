import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type GqlResult, type TestApp } from './harness';
import { createMessage, createRecipients, ok } from './mailing-helpers';
import { FAST_SENDING, runClosed } from './sending-fixtures';
import { waitUntil } from './wait-until';

/* SERVER_ROLE=all as `yarn start` runs it (main.ts): the API on the main thread, sending on a thread of its own. */
let setup: TestApp;
let server: ChildProcess;
let url: string;
let output = '';

beforeAll(async () => {
  // This app only prepares the database and the test SMTP server, and reads results: it does not send.
  setup = await startTestApp({ ...FAST_SENDING, SERVER_ROLE: 'api' });
  server = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: path.resolve(__dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: setup.databaseUrl,
      SMTP_URL: setup.smtp.url,
      API_THREAD_NICE: '3',
      ...FAST_SENDING,
    },
  });
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  url = await waitUntil('the server to listen', () => {
    if (server.exitCode !== null) throw new Error(`the server exited:\n${output}`);
    return /listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
  });
}, 90_000);

afterAll(async () => {
  if (server?.exitCode === null) server.kill('SIGKILL');
  await setup?.close();
});

it('serves the API and sends a mailing created through it, from one process', async () => {
  const user = await setup.createUser();
  const messageId = await createMessage(setup, user);
  const recipientIds = await createRecipients(setup, user, 3, 'thread');
  const gql = async <T>(query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ query, variables }),
    });
    return ok((await res.json()) as GqlResult<T>);
  };
  const statusOf = async (id: string) => (await gql<{ mailing: { status: string } }>('query($id: ID!) { mailing(id: $id) { status } }', { id })).mailing.status;
  const startAt = new Date(Date.now() - 60_000).toISOString();
  const endAt = new Date(Date.now() + 3_600_000).toISOString();
  const { createMailing } = await gql<{ createMailing: { id: string } }>('mutation($input: MailingInput!) { createMailing(input: $input) { id } }', {
    input: { messageId, recipientIds, startAt, endAt },
  });
  const mailingId = createMailing.id;
  const statusBefore = await statusOf(mailingId); // read (and cached) by the API thread before the sending thread changes it

  expect(output).toMatch(/sending thread started/);
  expect(await runClosed(setup.app, mailingId, 30_000)).toMatchObject({ status: 'SUCCESS', total: 3, sentCount: 3 });
  expect(setup.smtp.received.filter((mail) => mail.to.startsWith('thread'))).toHaveLength(3);
  // The sending thread's writes clear the API thread's cached reads.
  expect(statusBefore).not.toBe('FINISHED');
  expect(await waitUntil('the API to show the mailing finished', async () => (await statusOf(mailingId)) === 'FINISHED' || undefined, 5000)).toBe(true);
}, 60_000);

// A thread's nice value is its own on Linux (setpriority on a thread id).
(process.platform === 'linux' ? it : it.skip)('lowers the API thread priority by API_THREAD_NICE, and only its', () => {
  const niceOf = (tid: string) => {
    const stat = fs.readFileSync(`/proc/${server.pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  };
  const others = fs.readdirSync(`/proc/${server.pid}/task`).filter((tid) => tid !== String(server.pid));
  expect(niceOf(String(server.pid))).toBe(3);
  // The sending thread among them, started before the API thread lowered its own.
  expect(others.map(niceOf)).toContain(0);
});

it('stops on SIGTERM, the sending thread with it, and exits with 0', async () => {
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toMatch(/shutting down/);
  expect(output).not.toMatch(/the sending thread stopped/);
}, 60_000);
