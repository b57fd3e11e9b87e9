import { ok } from '../../server/test/mailing-helpers';
import { describeInBrowser, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const CREATE_RECIPIENT = 'mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }';
const RECIPIENT_TOTAL = '{ recipients { total } }';

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
    const dialog = page.getByRole('dialog', { name: 'Add recipient' });
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
});
