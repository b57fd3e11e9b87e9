import { FAST_SENDING, attemptsOf, deliveriesOf, runClosed, seedMailing } from '../../server/test/sending-fixtures';
import { waitUntil } from '../../server/test/wait-until';
import { clickLink, describeInBrowser, openSection, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const SUBJECT = 'Autumn news';
const COUNT = 30;

describeInBrowser('pausing a mailing in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    // The test holds the mail server's answers while the run goes on: the sender must wait for them.
    t = await startBrowserApp({ ...FAST_SENDING, SMTP_SOCKET_TIMEOUT_MS: '120000' });
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  const sentTo = (emails: string[]) => emails.reduce((sum, email) => sum + t.app.smtp.countFor(email), 0);

  async function deliveryCounts(mailingId: string): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const { status } of await deliveriesOf(t.app.app, mailingId)) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }

  it('pauses a running mailing: the page and the list show it paused and its progress stays; resumed, the same run reaches everyone once', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app.app, owner.user, { count: COUNT, subject: SUBJECT });
    // The mail server answers 5 messages, then holds every answer: the run is seen under way.
    t.app.smtp.hold({ after: 5 });
    await t.app.app.scheduler.mailingSaved(mailingId);

    const page = await t.newPage({ as: owner });
    await page.goto(`/mailings/${mailingId}`);
    await pageTitled(page, SUBJECT);
    await waitUntil('sends held by the mail server', () => t.app.smtp.held >= 1);
    await page.getByRole('meter', { name: '16 % done', exact: true }).waitFor();
    // The messages with the mail server show apart from those waiting.
    await page.getByText(/^In flight \d+$/).waitFor();
    const details = page.getByRole('definition');
    expect(await details.getByText('Paused', { exact: true }).count()).toBe(0);

    // Pausing asks nothing (it can be undone) and answers while the held messages are still out.
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Mailing paused' }).waitFor();
    await details.getByText('Paused', { exact: true }).waitFor();
    await page.getByText(/This run is paused: nothing more is sent until the mailing is resumed/).waitFor();
    const runs = page.getByRole('table', { name: 'Runs', exact: true });
    await runs.getByRole('cell', { name: 'Paused', exact: true }).waitFor();
    const resume = page.getByRole('button', { name: 'Resume', exact: true });
    const sendNow = page.getByRole('button', { name: 'Send now', exact: true });
    expect([await resume.isEnabled(), await sendNow.isDisabled()]).toEqual([true, true]);
    expect(await page.locator('.disabled-reason', { has: sendNow }).getAttribute('title')).toBe('This mailing is paused: resume it to send.');
    expect(await page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(0);

    // What was already with the mail server arrives and is recorded; the rest stays waiting.
    t.app.smtp.release();
    const atPause = await waitUntil('the messages in flight to be recorded', async () => {
      const counts = await deliveryCounts(mailingId);
      return counts.SENDING === undefined && counts;
    });
    const sent = atPause.SENT;
    expect(sent).toBe(sentTo(emails));
    expect(atPause.PENDING).toBe(COUNT - sent);
    expect(atPause.PENDING).toBeGreaterThan(0);
    await page.getByText(`${sent} of ${COUNT}`, { exact: true }).waitFor();
    await page.getByText(`Waiting ${COUNT - sent}`, { exact: true }).waitFor();
    expect(await page.getByText(/^In flight/).count()).toBe(0);

    // Another mailing goes out in full meanwhile: the paused one's waiting deliveries would have gone by then.
    const other = await t.createUser();
    const control = await seedMailing(t.app.app, other.user, { count: 5 });
    await t.app.app.scheduler.mailingSaved(control.mailingId);
    await runClosed(t.app.app, control.mailingId);
    expect(sentTo(emails)).toBe(sent);
    expect(await deliveryCounts(mailingId)).toEqual(atPause);

    // Home's running mailings show it paused.
    await openSection(page, 'Home', 'Welcome, Test User');
    const homeItem = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: SUBJECT, exact: true }) });
    await homeItem.getByText('Paused', { exact: true }).waitFor();

    // The list shows it paused: its Send now waits for Resume.
    await openSection(page, 'Mailings');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: SUBJECT, exact: true }) });
    await row.getByText('Paused', { exact: true }).waitFor();
    // (`has` locators are matched inside the outer one: this one starts at the page.)
    const rowSendNow = page.getByRole('button', { name: `Send now: ${SUBJECT}`, exact: true });
    expect(await rowSendNow.isDisabled()).toBe(true);
    expect(await row.locator('.disabled-reason', { has: rowSendNow }).getAttribute('title')).toBe('This mailing is paused: resume it to send.');
    expect(await row.getByRole('button', { name: `Resume: ${SUBJECT}`, exact: true }).isEnabled()).toBe(true);
    expect(await row.getByRole('button', { name: `Pause: ${SUBJECT}`, exact: true }).count()).toBe(0);

    // Opened again, the page shows the progress where it stopped.
    await clickLink(page, SUBJECT, SUBJECT);
    await page.getByText(`${sent} of ${COUNT}`, { exact: true }).waitFor();
    await page.getByText(`Waiting ${COUNT - sent}`, { exact: true }).waitFor();
    await details.getByText('Paused', { exact: true }).waitFor();
    // The Runs table shows the open run's live counts (a run's own are written when it closes).
    const openRun = page.getByRole('table', { name: 'Runs', exact: true }).getByRole('row').nth(1);
    expect((await openRun.innerText()).replace(/\s+/g, ' ').trim()).toMatch(new RegExp(`Paused ${sent} 0 0$`));

    // Resumed, the page follows the same run to its end; everyone got the mail exactly once.
    await resume.click();
    await page.getByRole('alert').filter({ hasText: 'Mailing resumed' }).waitFor();
    await page.getByRole('meter', { name: '100 % done', exact: true }).waitFor();
    await details.getByText('Finished', { exact: true }).waitFor();
    expect(await details.getByText('Paused', { exact: true }).count()).toBe(0);
    expect(emails.map((email) => t.app.smtp.countFor(email))).toEqual(emails.map(() => 1));
    expect((await attemptsOf(t.app.app, mailingId)).map((attempt) => [attempt.status, attempt.sentCount])).toEqual([['SUCCESS', COUNT]]);
    await runs.getByRole('cell', { name: 'Succeeded', exact: true }).waitFor();
    expect(await runs.getByRole('row').count()).toBe(2);
  });
});
