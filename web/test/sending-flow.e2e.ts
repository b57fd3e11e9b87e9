import { simpleParser } from 'mailparser';
import { Mailing } from '../../server/src/mailings/mailing.entity';
import type { Locator } from 'playwright-core';
import { clickLink, describeInBrowser, openSection, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const CSV = ['email,name,comment', 'ann@example.com,Ann Archer,from the fair', 'bob@example.com,Bob Baker,', 'cy@example.com,Cy Cole,newsletter'].join('\n');
const IMPORTED = ['ann@example.com', 'bob@example.com', 'cy@example.com'];
const SUBJECT = 'Spring news';

/** What the mailing form's date pickers show for `date` ("d M yy" and 24-hour time, in the page's zone: UTC). */
function pickerText(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const twoDigits = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()} ${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}`;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The Runs table's rows, newest first: status, sent, failed, uncertain. */
async function runRows(runs: Locator): Promise<string[][]> {
  const rows = await runs.getByRole('row').all();
  // The first row holds the headers; after the two times come status and counts (the phone-only summary is hidden).
  return Promise.all(rows.slice(1).map(async (row) => (await row.getByRole('cell').allTextContents()).slice(2, 6).map(oneLine)));
}

/** The deliveries table's rows: recipient (email and name) and status. */
async function deliveryRows(deliveries: Locator): Promise<string[][]> {
  const rows = await deliveries.getByRole('row').all();
  return Promise.all(rows.slice(1).map(async (row) => (await row.getByRole('cell').allTextContents()).slice(0, 2).map(oneLine)));
}

describeInBrowser('a sender in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    // The test holds the mail server's answers while it watches the run: the sender must wait for them.
    t = await startBrowserApp({ SMTP_SOCKET_TIMEOUT_MS: '120000' });
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('registers, confirms by mail, logs in, imports recipients, writes a message, sends it now, watches it arrive and retries the failed delivery', async () => {
    const email = 'sender@example.com';
    const password = 'a long sender password';
    const page = await t.newPage();

    await page.goto('/');
    await pageTitled(page, 'Log in');
    await clickLink(page, 'Create an account', 'Create an account');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password', { exact: true }).fill(password);
    await page.getByLabel('Full name (optional)', { exact: true }).fill('Sam Sender');
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await pageTitled(page, 'Check your mail');

    await page.goto(await t.linkFromMail(email, 'Confirm your email address'));
    await pageTitled(page, 'Email confirmed');
    await clickLink(page, 'Log in', 'Log in');
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await pageTitled(page, 'Welcome, Sam Sender');

    await openSection(page, 'Recipients');
    await clickLink(page, 'Import CSV', 'Import recipients');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose CSV file', exact: true }).click();
    await (await chooser).setFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('table', { name: 'First rows of the file' }).getByText('ann@example.com').waitFor();
    await page.getByRole('button', { name: 'Import recipients', exact: true }).click();
    await page.getByText('Import finished: 3 rows').waitFor();
    await clickLink(page, 'Go to recipients', 'Recipients');
    const recipients = page.getByRole('table', { name: 'Recipients' });
    await recipients.getByRole('cell', { name: 'cy@example.com', exact: true }).waitFor();
    for (const imported of IMPORTED) expect(await recipients.getByRole('cell', { name: imported, exact: true }).count()).toBe(1);
    expect(await recipients.getByRole('cell', { name: 'Ann Archer', exact: true }).count()).toBe(1);

    await openSection(page, 'Messages');
    await clickLink(page, 'New message', 'New message');
    await page.getByLabel('Subject', { exact: true }).fill(SUBJECT);
    await page.getByLabel('Body', { exact: true }).fill('Hello {{fullName}}, spring is here.');
    await page.getByRole('button', { name: 'Create message', exact: true }).click();
    await pageTitled(page, 'Messages');
    await page.getByRole('table', { name: 'Messages' }).getByRole('link', { name: SUBJECT, exact: true }).waitFor();

    // The mail server refuses Bob's address, answers the first message and holds the other,
    // so the run can be seen under way.
    t.app.smtp.rules = (to) => (to === 'bob@example.com' ? { rcpt: 550 } : undefined);
    t.app.smtp.hold({ after: 1 });
    await openSection(page, 'Mailings');
    // With recipients and a message, the empty list offers the next step (as does the page header).
    await page.getByRole('status').getByRole('link', { name: 'New mailing', exact: true }).click();
    await pageTitled(page, 'New mailing');
    await page.getByRole('combobox', { name: 'Message', exact: true }).click();
    await page.getByRole('option', { name: SUBJECT, exact: true }).click();
    await page.getByLabel('All my recipients', { exact: true }).check();
    const start = page.getByLabel('Start', { exact: true });
    await start.fill(pickerText(new Date()));
    await start.press('Escape');
    const scheduledAt = Date.now();
    await page.getByRole('button', { name: 'Schedule mailing', exact: true }).click();
    // Its start is now, so the toast says it starts (the answer may still say CREATED).
    await page.getByRole('alert').filter({ hasText: 'Mailing created: sending starts now' }).waitFor();
    await pageTitled(page, SUBJECT);
    // The typed start was taken: the mailing starts now, not at the form's default (the next minute).
    const [mailing] = await t.app.app.orm.em.fork().find(Mailing, {});
    expect(mailing.startAt.getTime()).toBeLessThanOrEqual(scheduledAt);

    // The mailing's page picks up the run the scheduler starts, and offers no new run while it goes on.
    await page.getByRole('meter', { name: '66 % done', exact: true }).waitFor();
    const sendNow = page.getByRole('button', { name: 'Send now', exact: true });
    const retryFailed = page.getByRole('button', { name: 'Retry failed', exact: true });
    expect([await sendNow.isDisabled(), await retryFailed.isDisabled()]).toEqual([true, true]);
    // Each says why on hover (its wrapper's title).
    const reasons = await Promise.all([sendNow, retryFailed].map((button) => page.locator('.disabled-reason', { has: button }).getAttribute('title')));
    expect(reasons).toEqual(['A run is going on: wait until it has ended.', 'A run is going on: wait until it has ended.']);

    await openSection(page, 'Home', 'Welcome, Sam Sender');
    // The mailing's entry under Running mailings (Latest runs names it too, without a meter).
    const running = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: SUBJECT, exact: true }) })
      .filter({ has: page.getByRole('meter') });
    await running.getByRole('meter', { name: '66 % done', exact: true }).waitFor();
    t.app.smtp.release();
    await running.getByRole('meter', { name: '100 % done', exact: true }).waitFor();
    await running.getByText('Sent 2', { exact: true }).waitFor();
    await running.getByText('Failed 1', { exact: true }).waitFor();

    expect(IMPORTED.map((to) => t.app.smtp.countFor(to))).toEqual([1, 0, 1]);
    const { text } = await simpleParser((await t.app.smtp.mailTo('ann@example.com', { subject: SUBJECT })).raw);
    expect(text).toContain('Hello Ann Archer, spring is here.');

    await openSection(page, 'Reports');
    await page.getByRole('button', { name: `Show the runs of ${SUBJECT}`, exact: true }).click();
    const run = page.getByRole('table', { name: `Runs of ${SUBJECT}`, exact: true }).getByRole('row').nth(1);
    await run.waitFor();
    // Recipients, sent, failed, uncertain.
    expect((await run.getByRole('cell').allTextContents()).slice(2, 6)).toEqual(['3', '2', '1', '0']);

    // The mailing's page: the finished run, and its deliveries once it is chosen.
    await openSection(page, 'Mailings');
    await clickLink(page, SUBJECT, SUBJECT);
    await page.getByRole('meter', { name: '100 % done', exact: true }).waitFor();
    const runs = page.getByRole('table', { name: 'Runs', exact: true });
    await runs.getByRole('cell', { name: 'Failed', exact: true }).waitFor();
    expect(await runRows(runs)).toEqual([['Failed', '2', '1', '0']]);
    await runs.getByRole('row').nth(1).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries', exact: true });
    await deliveries.getByRole('cell', { name: 'cy@example.com Cy Cole', exact: true }).waitFor();
    expect(await deliveryRows(deliveries)).toEqual([
      ['ann@example.com Ann Archer', 'Sent'],
      ['bob@example.com Bob Baker', 'Failed'],
      ['cy@example.com Cy Cole', 'Sent'],
    ]);
    expect(await deliveries.getByRole('row').filter({ hasText: 'bob@example.com' }).getByRole('cell').nth(3).textContent()).toMatch(/^550/);

    // Bob's address works again: Retry failed sends to him alone, in a new run.
    t.app.smtp.rules = () => undefined;
    await retryFailed.click();
    const confirm = page.getByRole('alertdialog', { name: 'Retry failed deliveries?', exact: true });
    await confirm.getByText(`Send again to the 1 recipient whose delivery failed? “${SUBJECT}” goes out to them in a new run.`, { exact: true }).waitFor();
    await confirm.getByRole('button', { name: 'Retry failed', exact: true }).click();
    await runs.getByRole('row').nth(2).waitFor();
    await page.getByText('1 of 1', { exact: true }).waitFor();
    await runs.getByRole('cell', { name: 'Succeeded', exact: true }).waitFor();
    expect(await runRows(runs)).toEqual([
      ['Succeeded', '1', '0', '0'],
      ['Failed', '2', '1', '0'],
    ]);
    // The deliveries follow the new run; the mailing has reached everyone and is finished.
    await deliveries.getByRole('row').filter({ hasText: 'bob@example.com' }).getByText('Sent', { exact: true }).waitFor();
    expect(await deliveryRows(deliveries)).toEqual([['bob@example.com Bob Baker', 'Sent']]);
    await page.getByRole('definition').getByText('Finished', { exact: true }).waitFor();
    expect(IMPORTED.map((to) => t.app.smtp.countFor(to))).toEqual([1, 1, 1]);
    expect(await retryFailed.isDisabled()).toBe(true);
    expect(await sendNow.count()).toBe(0);
  });
});
