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
    const inFlight = new Set(atCrash.filter((d) => d.status === 'SENDING' && d.handedOver).map((d) => d.email));
    const heldAtCrash = smtp.held;
    expect(sentBefore.size).toBeGreaterThan(0);
    expect(sentBefore.size).toBeLessThanOrEqual(12);
    expect(smtp.received.length).toBe(12 + heldAtCrash);
    // Whatever reached the server was marked handed over first.
    for (const mail of smtp.received) expect(sentBefore.has(mail.to) || inFlight.has(mail.to)).toBe(true);

    smtp.release();
    const restarted = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, ...settings() }));
    try {
      const attempt = await runClosed(restarted, mailingId);
      expect(attempt).toMatchObject({ status: 'SUCCESS', total: 40, sentCount: 40 });
    } finally {
      await restarted.close();
    }
    // In flight means handed to one of the SMTP_POOL_SIZE x 2 concurrent sends, not merely claimed.
    const concurrency = 2 * Number(settings().SMTP_POOL_SIZE);
    expect(smtp.received.length - emails.length).toBeLessThanOrEqual(concurrency);
    const rows = new Map((await deliveriesOf(t.app, mailingId)).map((row) => [row.email, row]));
    for (const email of emails) {
      const copies = smtp.countFor(email);
      expect(copies).toBeGreaterThanOrEqual(1);
      if (copies > 1) expect(inFlight.has(email)).toBe(true);
      if (sentBefore.has(email)) expect(copies).toBe(1);
      // The log tells: both tries, and that it may have arrived twice.
      if (copies > 1) expect(rows.get(email)).toMatchObject({ status: 'SENT', tries: 2, mayHaveArrivedTwice: true });
      if (!inFlight.has(email)) expect(rows.get(email)).toMatchObject({ status: 'SENT', tries: 1, mayHaveArrivedTwice: false });
    }
    // The messages the server held at the crash went out twice; flagged besides them: only the sends
    // waiting for a connection and the few marked just before they were to go (sending/README.md, Crashes).
    const twice = emails.filter((email) => smtp.countFor(email) > 1);
    expect(twice.length).toBeGreaterThanOrEqual(heldAtCrash);
    const flagged = [...rows.values()].filter((row) => row.mayHaveArrivedTwice);
    expect(flagged.map((row) => row.email).sort()).toEqual([...inFlight].sort());
    expect(flagged.length).toBeLessThanOrEqual(3 * concurrency);
    for (const row of flagged) expect(row).toMatchObject({ status: 'SENT', tries: 2 });
  });
});
