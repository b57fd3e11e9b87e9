import { startTestApp, type TestApp } from './harness';
import type { TestSmtp } from './test-smtp';
import { FAST_SENDING, attemptsOf, deliveriesOf, mailingStatus, runClosed, seedMailing } from './sending-fixtures';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  t = await startTestApp({ ...FAST_SENDING, MAIL_FROM: 'News <news@mail.example.test>' });
  smtp = t.smtp;
});
afterAll(() => t?.close());

describe('a run', () => {
  it('sends one personalized message per recipient with a stable Message-ID, then closes with its counts', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 25 });
    await t.app.scheduler.mailingSaved(mailingId);

    const attempt = await runClosed(t.app, mailingId);
    expect(attempt).toMatchObject({ status: 'SUCCESS', total: 25, sentCount: 25, failedCount: 0, uncertainCount: 0 });
    expect(attempt.serverResponse).toMatch(/^250 /);
    expect(await mailingStatus(t.app, mailingId)).toBe('FINISHED');

    const deliveries = await deliveriesOf(t.app, mailingId);
    expect(deliveries.map((d) => d.status)).toEqual(Array(25).fill('SENT'));
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);

    const first = deliveries.find((d) => d.email === emails[0])!;
    const mail = smtp.received.find((m) => m.to === emails[0])!;
    expect(first.messageId).toMatch(/^<[0-9a-f-]{36}@mail\.example\.test>$/);
    expect(mail.messageId).toBe(first.messageId);
    expect(mail.subject).toBe('Hello Reader 0');
    expect(mail.raw).toContain(`Dear Reader 0, this goes to ${emails[0]}.`);
  });

  it('leaves {{other}} placeholders as written', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, subject: 'Hi {{ fullName }} {{unknown}}', body: 'x' });
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    expect(smtp.received.find((m) => m.to === emails[0])!.subject).toBe('Hi Reader 0 {{unknown}}');
  });

  it('opens no run for a disabled mailing', async () => {
    const { user } = await t.createUser();
    const disabled = await seedMailing(t.app, user, { disabled: true });
    const enabled = await seedMailing(t.app, user);
    await t.app.scheduler.mailingSaved(disabled.mailingId);
    await t.app.scheduler.mailingSaved(enabled.mailingId);
    // Planned after the disabled one, the enabled one has gone out: the disabled one would have by now.
    await runClosed(t.app, enabled.mailingId);
    expect(await attemptsOf(t.app, disabled.mailingId)).toHaveLength(0);
    for (const email of disabled.emails) expect(smtp.countFor(email)).toBe(0);
  });
});
