import { describeInBrowser, startBrowserApp, type BrowserApp } from './browser';

const CSV = ['email,name,comment', 'ann@example.com,Ann Archer,from the fair', 'bob@example.com,Bob Baker,', 'cy@example.com,Cy Cole,newsletter'].join('\n');
const IMPORTED = ['ann@example.com', 'bob@example.com', 'cy@example.com'];

describeInBrowser('a sender in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp();
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('registers, confirms the email from the mail, logs in and imports recipients from a CSV file', async () => {
    const email = 'sender@example.com';
    const password = 'a long sender password';
    const page = await t.newPage();

    await page.goto('/');
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm password').fill(password);
    await page.getByLabel('Full name (optional)').fill('Sam Sender');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    await page.goto(await t.linkFromMail(email, 'Confirm your email address'));
    await page.getByRole('heading', { name: 'Email confirmed' }).waitFor();
    await page.getByRole('link', { name: 'Log in' }).click();
    expect(await page.getByLabel('Email').inputValue()).toBe(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Welcome, Sam Sender' }).waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Recipients' }).click();
    await page.getByRole('link', { name: 'Import CSV' }).click();
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose CSV file' }).click();
    await (await chooser).setFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
    await page.getByRole('table', { name: 'First rows of the file' }).getByText('ann@example.com').waitFor();
    await page.getByRole('button', { name: 'Import recipients' }).click();
    await page.getByText('Import finished: 3 rows').waitFor();
    await page.getByRole('link', { name: 'Go to recipients' }).click();
    const table = page.getByRole('table', { name: 'Recipients' });
    await table.getByRole('cell', { name: 'cy@example.com', exact: true }).waitFor();
    for (const imported of IMPORTED) expect(await table.getByRole('cell', { name: imported, exact: true }).count()).toBe(1);
    expect(await table.getByRole('cell', { name: 'Ann Archer', exact: true }).count()).toBe(1);
  });
});
