import { createClient } from '@redis/client';
import { createApp, type App } from '../src/app';
import { databaseNamespace } from '../src/common/namespace';
import { loadConfig } from '../src/config';
import { messageIdDomain, openAttempt } from '../src/sending/open-attempt';
import { startTestApp, type TestApp } from './harness';
import { optionalService } from './optional-services';
import { FAST_SENDING, deliveriesOf, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

/**
 * One message per 1000 s: the shared window cannot end during the test, so what the limiter
 * decides is counted, not timed. Each decision adds to the window's counter in the store,
 * refusals included. (Messages per second are a figure for bench/, not a test.)
 */
const ONE_PER_WINDOW = { ...FAST_SENDING, SEND_RATE_PER_SECOND: '0.001', SERVER_ROLE: 'api' };

/** Two processes send a mailing each at the same time: together they get the window's one message. */
async function sendFromTwoProcesses(store: Record<string, string>, decisionsSoFar: (t: TestApp) => Promise<number>) {
  const t: TestApp = await startTestApp({ ...ONE_PER_WINDOW, ...store });
  let second: App | undefined;
  try {
    second = await createApp(
      loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, SMTP_URL: t.smtp.url, ...ONE_PER_WINDOW, ...store }),
    );
    const { user } = await t.createUser();
    const a = await seedMailing(t.app, user, { count: 3 });
    const b = await seedMailing(t.app, user, { count: 3 });
    const domain = messageIdDomain(t.app.config.MAIL_FROM);
    const runA = await openAttempt(t.app.orm.em, a.mailingId, domain);
    const runB = await openAttempt(second.orm.em, b.mailingId, domain);
    const stop = new AbortController();
    const drives = Promise.all([t.app.scheduler.sendInProcess(runA.id, stop.signal), second.scheduler.sendInProcess(runB.id, stop.signal)]);

    // A process asks again only after its refusal's wait (the rest of the window), so a
    // third decision means both processes have asked.
    await waitUntil('both processes to ask the limiter', async () => (await decisionsSoFar(t)) >= 3);
    await waitUntil('the granted message', () => t.smtp.received.length > 0);
    stop.abort();
    expect(await drives).toEqual([{ kind: 'interrupted' }, { kind: 'interrupted' }]);

    // Interrupted drives finish what they had sent: every grant is recorded by now.
    expect(t.smtp.received).toHaveLength(1);
    const deliveries = [...(await deliveriesOf(t.app, a.mailingId)), ...(await deliveriesOf(t.app, b.mailingId))];
    expect(deliveries.filter((d) => d.status === 'SENT')).toHaveLength(1);
    expect(deliveries.filter((d) => d.status === 'PENDING')).toHaveLength(5);
  } finally {
    await second?.close();
    await t.close();
  }
}

const redis = optionalService('TEST_REDIS_URL');

describe('the send rate limit', () => {
  it('holds across worker processes, counted in PostgreSQL', () =>
    sendFromTwoProcesses({}, async (t) => {
      const rows = await t.app.orm.em.fork().execute<Array<{ points: number }>>('select points from send_rate_limits');
      return rows.reduce((sum, r) => sum + r.points, 0);
    }));

  redis.describe('with Redis', () => {
    it('holds across worker processes, counted in Redis when REDIS_URL is set', async () => {
      const client = await createClient({ url: redis.url }).connect();
      try {
        await sendFromTwoProcesses({ REDIS_URL: redis.url }, async (t) => {
          const keys = await client.keys(`send-rate:${databaseNamespace(t.databaseUrl)}:*`);
          const values = keys.length ? await client.mGet(keys) : [];
          return values.reduce((sum, v) => sum + Number(v ?? 0), 0);
        });
      } finally {
        client.destroy();
      }
    });
  });
});
