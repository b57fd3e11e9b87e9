import { MAX_IMPORT_ROWS } from '../../server/src/rules';
import { ok } from '../../server/test/mailing-helpers';
import { unsubscribeLinks } from '../../server/src/unsubscribe/unsubscribe-links';
import { describeInBrowser, openedDialog, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const CREATE_RECIPIENT = 'mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }';
const RECIPIENT_TOTAL = '{ recipients { total } }';
const RECIPIENTS_NAMED = 'query($search: String) { recipients(search: $search) { items { email fullName } } }';

describeInBrowser('the recipient form in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp();
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('shows the server’s field error under the field: an email the user already has', async () => {
    const user = await t.createUser();
    ok(await t.app.gql(CREATE_RECIPIENT, { input: { email: 'ann@example.com' } }, user));

    const page = await t.newPage({ as: user });
    await page.goto('/recipients');
    await pageTitled(page, 'Recipients');
    await page.getByRole('button', { name: 'Add recipient', exact: true }).click();
    const dialog = await openedDialog(page, 'Add recipient');
    const email = dialog.getByLabel('Email', { exact: true });
    await email.fill('Ann@Example.com');
    await dialog.getByLabel('Full name', { exact: true }).fill('Ann Again');
    await dialog.getByRole('button', { name: 'Add recipient', exact: true }).click();

    await dialog.getByText('You already have a recipient with this email').waitFor();
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    // The message is the field's accessible description: what a screen reader reads with it.
    const description = await email.evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
    expect(description).toContain('You already have a recipient with this email');
    expect(await dialog.isVisible()).toBe(true);
    expect(ok<{ recipients: { total: number } }>(await t.app.gql(RECIPIENT_TOTAL, {}, user)).recipients.total).toBe(1);
  });

  it('skips, with their reasons, an email that comes again in a later call of the CSV import and a row PostgreSQL cannot store', async () => {
    const user = await t.createUser();
    // Ann's second row lands in the import's second call (rows go 1,000 per call); the server
    // refuses a whole call holding a NUL, so that row alone must be left out of its call.
    const others = Array.from({ length: MAX_IMPORT_ROWS - 2 }, (_, i) => `person${i}@example.com,Person ${i}`);
    const csv = ['email,name', 'ann@example.com,Ann First', 'nul@example.com,Bad\u0000Name', ...others, 'ANN@example.com,Ann Later'].join('\n');
    const annAgain = MAX_IMPORT_ROWS + 2;

    const page = await t.newPage({ as: user });
    await page.goto('/recipients/import');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Choose CSV file', exact: true }).click();
    await (await chooser).setFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('table', { name: 'First rows of the file' }).getByText('ann@example.com').waitFor();
    await page.getByRole('button', { name: 'Import recipients', exact: true }).click();
    await page.getByText(`Import finished: ${(MAX_IMPORT_ROWS + 1).toLocaleString('en-US')} rows`).waitFor();

    const skipped = page.getByRole('table', { name: 'Skipped rows' }).getByRole('row');
    expect(await skipped.count()).toBe(3); // the header, the NUL row and Ann's second row
    expect(await skipped.nth(1).innerText()).toMatch(/^3\s+nul@example.com\s+Contains a character that cannot be stored \(NUL\)\.$/);
    expect(await skipped.nth(2).innerText()).toMatch(new RegExp(`^${annAgain}\\s+ANN@example.com\\s+Same email as row 2$`));
    const found = ok<{ recipients: { items: Array<{ email: string; fullName: string }> } }>(
      await t.app.gql(RECIPIENTS_NAMED, { search: 'ann@example.com' }, user),
    );
    expect(found.recipients.items).toEqual([{ email: 'ann@example.com', fullName: 'Ann First' }]);
    expect(ok<{ recipients: { total: number } }>(await t.app.gql(RECIPIENT_TOTAL, {}, user)).recipients.total).toBe(MAX_IMPORT_ROWS - 1);
  });

  it('shows who unsubscribed and when, and lists only them (or only the others) with the filter', async () => {
    const user = await t.createUser();
    ok(await t.app.gql(CREATE_RECIPIENT, { input: { email: 'stays@example.com' } }, user));
    const leaves = ok(await t.app.gql(CREATE_RECIPIENT, { input: { email: 'leaves@example.com' } }, user)).createRecipient.id as string;
    // The recipient clicks the one-click link of a mail (POST, no login).
    const link = unsubscribeLinks(t.app.app.config)({ ownerId: user.user.id, recipientId: leaves }).url;
    expect((await fetch(`${t.app.url}${new URL(link).pathname}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);

    const page = await t.newPage({ as: user });
    await page.goto('/recipients');
    await pageTitled(page, 'Recipients');
    const table = page.getByRole('table', { name: 'Recipients' });
    const leavesRow = table.getByRole('row').filter({ hasText: 'leaves@example.com' });
    await leavesRow.waitFor();
    // Under the email: when, in the browser's zone, with the moment itself in the <time> element.
    const note = leavesRow.getByText(/^Unsubscribed /).filter({ visible: true });
    expect(await note.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const staysRow = table.getByRole('row').filter({ hasText: 'stays@example.com' });
    expect(await staysRow.getByText(/^Unsubscribed /).count()).toBe(0);

    await page.getByRole('combobox', { name: 'Subscription' }).click();
    await page.getByRole('option', { name: 'Unsubscribed', exact: true }).click();
    await staysRow.waitFor({ state: 'detached' });
    expect(await table.getByRole('row').filter({ hasText: '@example.com' }).allInnerTexts()).toEqual([expect.stringContaining('leaves@example.com')]);

    await page.getByRole('combobox', { name: 'Subscription' }).click();
    await page.getByRole('option', { name: 'Subscribed', exact: true }).click();
    await leavesRow.waitFor({ state: 'detached' });
    expect(await table.getByRole('row').filter({ hasText: '@example.com' }).allInnerTexts()).toEqual([expect.stringContaining('stays@example.com')]);
  });
});
