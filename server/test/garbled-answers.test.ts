import { startTestApp, type TestApp } from './harness';
import type { TestSmtp } from './test-smtp';
import { FAST_SENDING, deliveriesOf, runClosed, seedMailing } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  // A socket timeout far beyond any wait of this test: only closing the connection at once lets the run go on.
  t = await startTestApp({ ...FAST_SENDING, SMTP_SOCKET_TIMEOUT_MS: '600000' });
  smtp = t.smtp;
});
afterAll(() => t?.close());
afterEach(() => smtp.reset());

describe('an unreadable answer to a message', () => {
  it('closes that connection at once: the others go out on other connections, each garbled one is UNCERTAIN, nothing twice', async () => {
    const answers = ['2x0 what?', 'hello there'];
    const emails = Array.from({ length: 40 }, (_, i) => (i % 8 === 3 ? `garbled-${i}@example.test` : `fine-${i}@example.test`));
    const garbled = emails.filter((email) => email.startsWith('garbled'));
    smtp.rules = (to) => (to.startsWith('garbled') ? { garbledAnswer: answers[Number(/\d+/.exec(to)![0]) % 2] } : undefined);
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { emails });
    await t.app.scheduler.mailingSaved(mailingId);

    // With SMTP_POOL_SIZE 2, two connections left waiting for a reply would stop the run.
    const attempt = await runClosed(t.app, mailingId);
    expect(attempt).toMatchObject({ status: 'FAILURE', total: 40, sentCount: 35, uncertainCount: 5 });
    for (const row of await deliveriesOf(t.app, mailingId)) {
      if (garbled.includes(row.email)) expect(row).toMatchObject({ status: 'UNCERTAIN', tries: 1, response: expect.stringMatching(/^Unreadable answer to the message: /) });
      else expect(row).toMatchObject({ status: 'SENT', tries: 1 });
    }
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
    const garbledMail = smtp.received.filter((mail) => mail.to.startsWith('garbled'));
    await waitUntil('the connections that answered unreadably to be closed', () => garbledMail.every((mail) => !smtp.isOpen(mail.connection)));
    // The connections that answered well were kept for the next messages.
    const connections = new Set(smtp.received.map((mail) => mail.connection));
    expect(connections.size).toBeLessThanOrEqual(garbled.length + 2);
  });

  it('records a 250 answer holding a NUL character (PostgreSQL text cannot hold one) as SENT, and sends nobody the message twice', async () => {
    const emails = Array.from({ length: 12 }, (_, i) => (i === 5 ? 'nul-answer@example.test' : `fine-nul-${i}@example.test`));
    smtp.rules = (to) => (to === 'nul-answer@example.test' ? { acceptWith: 'OK: queued as \u0000abc' } : undefined);
    const { user } = await t.createUser();
    const { mailingId } = await seedMailing(t.app, user, { emails });
    await t.app.scheduler.mailingSaved(mailingId);

    const attempt = await runClosed(t.app, mailingId);
    expect(attempt).toMatchObject({ status: 'SUCCESS', total: 12, sentCount: 12 });
    const rows = new Map((await deliveriesOf(t.app, mailingId)).map((row) => [row.email, row]));
    // The SMTP client reads the NUL as a space: a result written with it would be refused, and sent again.
    expect(rows.get('nul-answer@example.test')).toMatchObject({ status: 'SENT', tries: 1, response: '250 OK: queued as  abc' });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });
});
