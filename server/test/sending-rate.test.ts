import { createApp, type App } from '../src/app';
import { loadConfig } from '../src/config';
import { messageIdDomain, openRun } from '../src/sending/run';
import { startTestApp, type TestApp } from './harness';
import { startFaultySmtp, type FaultySmtp } from './faulty-smtp';
import { FAST_SENDING, seedMailing } from './sending-fixtures';

const RATE = 10;
let smtp: FaultySmtp;
beforeAll(async () => {
  smtp = await startFaultySmtp();
});
afterAll(() => smtp.close());

/**
 * Two processes send one mailing each (15 messages) at the same time; the limit holds for
 * both together. It is counted in fixed one-second windows: the 30 messages need three
 * windows, so no more than 2 x RATE arrive in the first 1.5 s and the last arrives more
 * than 1.5 s after the first. Limited per process, all 30 would be there after one second.
 */
async function sendFromTwoProcesses(store: Record<string, string>) {
  const settings = { ...FAST_SENDING, SMTP_URL: smtp.url, SEND_RATE_PER_SECOND: String(RATE), SCHEDULER_ENABLED: 'false', ...store };
  const t: TestApp = await startTestApp(settings);
  const second: App = await createApp(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: t.databaseUrl, ...settings }));
  try {
    const { user } = await t.createUser();
    const a = await seedMailing(t.app, user, { count: 15 });
    const b = await seedMailing(t.app, user, { count: 15 });
    const domain = messageIdDomain(t.app.config.MAIL_FROM);
    const runA = await openRun(t.app.orm.em, a.mailingId, domain);
    const runB = await openRun(second.orm.em, b.mailingId, domain);
    smtp.received.length = 0;
    const stops = await Promise.all([t.app.scheduler.sendInProcess(runA.id), second.scheduler.sendInProcess(runB.id)]);
    expect(stops).toEqual([{ kind: 'closed' }, { kind: 'closed' }]);

    const times = smtp.received.map((m) => m.at).sort((x, y) => x - y);
    expect(times).toHaveLength(30);
    expect(times.filter((at) => at - times[0] < 1500).length).toBeLessThanOrEqual(2 * RATE);
    expect(times[29] - times[0]).toBeGreaterThan(1500);
  } finally {
    await second.close();
    await t.close();
  }
}

describe('the send rate limit', () => {
  it('holds across worker processes, counted in PostgreSQL', () => sendFromTwoProcesses({}));

  it('holds across worker processes, counted in Redis when REDIS_URL is set', () =>
    sendFromTwoProcesses({ REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' }));
});
