import { startTestApp, type TestApp } from './harness';
import type { SmtpRule, TestSmtp } from './test-smtp';
import { FAST_SENDING, deliveriesOf, runClosed, seedMailing, type DeliveryRow } from './sending-fixtures';
import { waitUntil } from './wait-until';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  // A hanging server times out after one second.
  t = await startTestApp({ ...FAST_SENDING, SMTP_SOCKET_TIMEOUT_MS: '1000' });
  smtp = t.smtp;
});
afterAll(() => t?.close());
afterEach(() => smtp.reset());

/** Rules by the local part's prefix: `busy-2-x@` answers 451 twice, etc. */
function rulesByPrefix(rules: Record<string, (tries: number) => SmtpRule | undefined>) {
  return (to: string, tries: number) => {
    const prefix = Object.keys(rules).find((p) => to.startsWith(p));
    return prefix ? rules[prefix](tries) : undefined;
  };
}

const byEmail = (rows: DeliveryRow[]) => new Map(rows.map((r) => [r.email, r]));

async function sendTo(emails: string[]) {
  const { user } = await t.createUser();
  const { mailingId } = await seedMailing(t.app, user, { emails });
  await t.app.scheduler.mailingSaved(mailingId);
  const attempt = await runClosed(t.app, mailingId);
  return { mailingId, attempt, deliveries: byEmail(await deliveriesOf(t.app, mailingId)) };
}

describe('a failing mail server', () => {
  it('retries 4xx answers with backoff and fails them after SEND_MAX_RETRIES retries', async () => {
    smtp.rules = rulesByPrefix({
      'busy-twice': (tries) => (tries <= 2 ? { rcpt: 451 } : undefined),
      'busy-always': () => ({ rcpt: 451 }),
      'later-data': (tries) => (tries === 1 ? { data: 452 } : undefined),
    });
    const { attempt, deliveries } = await sendTo(['busy-twice@example.test', 'busy-always@example.test', 'later-data@example.test', 'fine@example.test']);

    expect(deliveries.get('busy-twice@example.test')).toMatchObject({ status: 'SENT', tries: 3 });
    expect(deliveries.get('later-data@example.test')).toMatchObject({ status: 'SENT', tries: 2 });
    expect(deliveries.get('fine@example.test')).toMatchObject({ status: 'SENT', tries: 1 });
    const gaveUp = deliveries.get('busy-always@example.test')!;
    expect(gaveUp).toMatchObject({ status: 'FAILED', tries: 4 });
    expect(gaveUp.response).toMatch(/^Gave up after 4 tries: 451 /);
    expect(attempt).toMatchObject({ status: 'FAILURE', total: 4, sentCount: 3, failedCount: 1, uncertainCount: 0 });
    expect(smtp.countFor('busy-twice@example.test')).toBe(1);
    expect(smtp.countFor('later-data@example.test')).toBe(1); // the refused copy was not accepted
    expect(smtp.countFor('busy-always@example.test')).toBe(0);
  });

  it('fails 5xx answers at once with the answer', async () => {
    smtp.rules = rulesByPrefix({ 'nobody': () => ({ rcpt: 550 }), 'too-big': () => ({ data: 552 }) });
    const { attempt, deliveries } = await sendTo(['nobody@example.test', 'too-big@example.test', 'fine@example.test']);
    expect(deliveries.get('nobody@example.test')).toMatchObject({ status: 'FAILED', tries: 1, response: '550 No such user here' });
    expect(deliveries.get('too-big@example.test')).toMatchObject({ status: 'FAILED', tries: 1, response: '552 Message refused' });
    expect(deliveries.get('fine@example.test')).toMatchObject({ status: 'SENT' });
    expect(attempt).toMatchObject({ status: 'FAILURE', sentCount: 1, failedCount: 2 });
  });

  it('marks a message UNCERTAIN when the connection drops after it was handed over, and never sends it again', async () => {
    smtp.rules = rulesByPrefix({ 'dropped': () => ({ dropAfterData: true }), 'timed-out': () => ({ hangAtData: true }) });
    const emails = ['dropped-1@example.test', 'dropped-2@example.test', 'timed-out@example.test', 'fine-1@example.test', 'fine-2@example.test'];
    const { attempt, deliveries } = await sendTo(emails);
    for (const email of ['dropped-1@example.test', 'dropped-2@example.test', 'timed-out@example.test']) {
      expect(deliveries.get(email)).toMatchObject({ status: 'UNCERTAIN', tries: 1 });
      expect(smtp.countFor(email)).toBe(1);
    }
    expect(deliveries.get('timed-out@example.test')!.response).toMatch(/ETIMEDOUT/);
    expect(attempt).toMatchObject({ status: 'FAILURE', sentCount: 2, failedCount: 0, uncertainCount: 3 });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('marks a message UNCERTAIN when the answer to it has no readable reply code, and never sends it again', async () => {
    smtp.rules = rulesByPrefix({ 'garbled-2x0': () => ({ garbledAnswer: '2x0 what?' }), 'garbled-text': () => ({ garbledAnswer: 'hello there' }) });
    const emails = ['garbled-2x0@example.test', 'garbled-text@example.test', 'fine-a@example.test', 'fine-b@example.test'];
    const { attempt, deliveries } = await sendTo(emails);
    expect(deliveries.get('garbled-2x0@example.test')).toMatchObject({ status: 'UNCERTAIN', tries: 1, response: 'Unreadable answer to the message: 2x0 what?' });
    expect(deliveries.get('garbled-text@example.test')).toMatchObject({ status: 'UNCERTAIN', tries: 1, response: 'Unreadable answer to the message: hello there' });
    expect(attempt).toMatchObject({ status: 'FAILURE', sentCount: 2, uncertainCount: 2 });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });

  it('retries a timeout before the message went out', async () => {
    let rcptSeen = 0;
    smtp.rules = rulesByPrefix({
      'slow-rcpt': (tries) => {
        rcptSeen = tries;
        return tries === 1 ? { hangAtRcpt: true } : undefined;
      },
    });
    const { deliveries } = await sendTo(['slow-rcpt@example.test', 'fine@example.test']);
    // Timed out on the first RCPT TO (socket timeout 1 s), asked again, delivered once. The
    // delivery's own `tries` is 1 or 2: a timeout that trips the shared breaker's probe is no try.
    expect(rcptSeen).toBe(2);
    expect(deliveries.get('slow-rcpt@example.test')).toMatchObject({ status: 'SENT' });
    expect(smtp.countFor('slow-rcpt@example.test')).toBe(1);
  });

  it('pauses while the server refuses connections and resumes by itself, sending each message once', async () => {
    const threshold = t.app.config.SEND_BREAKER_THRESHOLD;
    const inFlight = t.app.config.SMTP_POOL_SIZE * 2;
    smtp.down();
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 30 });
    await t.app.scheduler.mailingSaved(mailingId);
    // The breaker opens after `threshold` refused connections; from then on only its probes knock.
    // Each retry that got through would be a refused connection too, and a try counted.
    await waitUntil('the breaker to probe the dead server eight times', () => smtp.refused >= threshold + inFlight + 8);
    const triesWhileDown = (await deliveriesOf(t.app, mailingId)).reduce((sum, d) => sum + d.tries, 0);
    expect(triesWhileDown).toBeGreaterThan(0);
    expect(triesWhileDown).toBeLessThanOrEqual(threshold + inFlight);
    smtp.up();

    const attempt = await runClosed(t.app, mailingId);
    expect(attempt).toMatchObject({ status: 'SUCCESS', sentCount: 30 });
    for (const email of emails) expect(smtp.countFor(email)).toBe(1);
  });
});
