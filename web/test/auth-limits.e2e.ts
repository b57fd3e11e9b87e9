import type { Page } from 'playwright-core';
import { ok } from '../../server/test/mailing-helpers';
import { describeInBrowser, pageTitled, PASSWORD, startBrowserApp, type BrowserApp } from './browser';

const TOO_MANY = /^Too many attempts — try again in \d+ minutes?\.$/;

describeInBrowser('guessing limits in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp({ LOGIN_ATTEMPTS_PER_ACCOUNT: '2', ACCOUNT_MAILS_PER_ACCOUNT: '1' });
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  async function logIn(page: Page, email: string, password: string): Promise<void> {
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
  }

  it('the login form says when to try again, and keeps saying it for the right password', async () => {
    const { user } = await t.createUser();
    const page = await t.newPage();
    await page.goto('/login');
    await pageTitled(page, 'Log in');
    const alert = page.locator('form').getByRole('alert');

    // The button is disabled while a login is under way, so each try goes after the last one's answer.
    for (const guess of ['first guess', 'second guess']) {
      await logIn(page, user.email, guess);
      await alert.getByText('Wrong email or password.').waitFor();
    }
    await logIn(page, user.email, 'one more guess');
    await alert.getByText(TOO_MANY).waitFor();

    await logIn(page, user.email, PASSWORD);
    await alert.getByText(TOO_MANY).waitFor();
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('the sign-up, password reset and resend forms say when to try again', async () => {
    const email = 'asked-too-often@example.test';
    ok(await t.app.gql('mutation($input: RegisterInput!) { register(input: $input) { id } }', { input: { email, password: PASSWORD } }));
    const page = await t.newPage();

    await page.goto('/register');
    await pageTitled(page, 'Create an account');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    // In the form, beside the button, rather than a toast that goes away.
    await page.locator('form').getByRole('alert').getByText(TOO_MANY).waitFor();

    await page.goto('/forgot-password');
    await pageTitled(page, 'Reset your password');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Send reset link', exact: true }).click();
    await page.locator('form').getByRole('alert').getByText(TOO_MANY).waitFor();

    await page.goto('/login');
    await pageTitled(page, 'Log in');
    await page.getByRole('button', { name: 'No verification mail? Send it again' }).click();
    const panel = page.locator('#resend-panel');
    await panel.getByLabel('Email', { exact: true }).fill(email);
    await panel.getByRole('button', { name: 'Send verification mail', exact: true }).click();
    await panel.getByRole('alert').getByText(TOO_MANY).waitFor();
    expect(t.app.smtp.countFor(email)).toBe(1);
  });
});
