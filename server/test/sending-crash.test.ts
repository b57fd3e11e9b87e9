import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { startTestApp, type TestApp } from './harness';
import type { TestSmtp } from './test-smtp';
import { FAST_SENDING, deliveriesOf, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
let smtp: TestSmtp;
const settings = () => ({ ...FAST_SENDING, SMTP_URL: smtp.url, JOB_LOCK_LIFETIME_MS: '2000' });

beforeAll(async () => {
  // This process only plans (API-only); the workers send.
  t = await startTestApp({ ...FAST_SENDING, JOB_LOCK_LIFETIME_MS: '2000', SERVER_ROLE: 'api' });
  smtp = t.smtp;
});
afterAll(() => t?.close());

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'sending-worker.ts')], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, ...settings() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) resolve(child);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
  });
}

describe('a worker killed mid-run', () => {
  it('loses nothing: after a restart the run sends what was not done, duplicating at most what was in flight', async () => {
    smtp.hold({ after: 12 });
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 40 });
    const worker = await startWorker();
    await t.app.scheduler.mailingSaved(mailingId);

    // Killed with twelve messages answered, some of them recorded, and the next ones held by the server.
    await waitUntil('the worker to send a part of the run', async () => {
      if (smtp.held === 0) return false;
      return (await deliveriesOf(t.app, mailingId)).some((d) => d.status === 'SENT');
    });
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    const atCrash = await deliveriesOf(t.app, mailingId);
    const sentBefore = new Set(atCrash.filter((d) => d.status === 'SENT').map((d) => d.email));
    const inFlight = new Set(atCrash.filter((d) => d.status === 'SENDING').map((d) => d.email));
    expect(sentBefore.size).toBeGreaterThan(0);
    expect(sentBefore.size).toBeLessThanOrEqual(12);
    expect(smtp.received.length).toBe(12 + smtp.held);

    smtp.release();
    const restarted = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, ...settings() }));
    try {
      const attempt = await runClosed(restarted, mailingId);
      expect(attempt).toMatchObject({ status: 'SUCCESS', total: 40, sentCount: 40 });
    } finally {
      await restarted.close();
    }
    // In flight means handed to one of the SMTP_POOL_SIZE x 2 concurrent sends, not merely claimed.
    expect(smtp.received.length - emails.length).toBeLessThanOrEqual(4);
    for (const email of emails) {
      const copies = smtp.countFor(email);
      expect(copies).toBeGreaterThanOrEqual(1);
      if (copies > 1) expect(inFlight.has(email)).toBe(true);
      if (sentBefore.has(email)) expect(copies).toBe(1);
    }
  });
});
