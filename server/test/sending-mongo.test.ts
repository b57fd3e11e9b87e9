import { MongoClient } from 'mongodb';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { startTestApp, type TestApp } from './harness';
import { startFaultySmtp, type FaultySmtp } from './faulty-smtp';
import { FAST_SENDING, attemptsOf, runClosed, seedMailing } from './sending-fixtures';

const mongoUrl = process.env.MONGODB_URL;
if (!mongoUrl) process.stderr.write('\nMongoDB job store tests skipped: MONGODB_URL not set\n');

/** The same scheduler on Agenda's MongoDB store (docker compose and production). */
(mongoUrl ? describe : describe.skip)('the MongoDB job store', () => {
  let t: TestApp;
  let smtp: FaultySmtp;
  let store: string;
  const settings = () => ({ ...FAST_SENDING, SMTP_URL: smtp.url, MONGODB_URL: store });

  beforeAll(async () => {
    // A database of its own per run, so runs never see each other's jobs.
    const url = new URL(mongoUrl!);
    url.pathname = `/mailing_test_${process.pid}_${Date.now()}`;
    store = url.toString();
    smtp = await startFaultySmtp();
    t = await startTestApp(settings());
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    const client = await new MongoClient(store).connect();
    await client.db().dropDatabase();
    await client.close();
  });

  it('starts a mailing inside its window at once', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 3 });
    await t.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 3 });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('fires a planned start after a restart, once', async () => {
    const { user } = await t.createUser();
    const startAt = new Date(Date.now() + 2500);
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 2, startAt });
    await Promise.all([t.app.scheduler.mailingSaved(mailingId), t.app.scheduler.mailingSaved(mailingId)]);
    await t.app.scheduler.close();
    const restarted = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, ...settings() }));
    try {
      await runClosed(restarted, mailingId, 10_000);
      expect(await attemptsOf(restarted, mailingId)).toHaveLength(1);
      for (const email of emails) expect(smtp.countFor(email)).toBe(1);
      expect(Math.min(...smtp.received.filter((m) => emails.includes(m.to)).map((m) => m.at))).toBeGreaterThanOrEqual(startAt.getTime());
    } finally {
      await restarted.close();
    }
  });
});
