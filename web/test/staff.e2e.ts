import { Role } from '../../server/src/common/actor';
import { createMailing, createMessage, createRecipients } from '../../server/test/mailing-helpers';
import { describeInBrowser, startBrowserApp, type BrowserApp } from './browser';

describeInBrowser('staff in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp();
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('a manager blocks a user, whose open page then loses its session', async () => {
    const user = await t.createUser();
    const manager = await t.createUser(Role.MANAGER);

    const userPage = await t.newPage({ as: user });
    await userPage.goto('/recipients');
    await userPage.getByRole('heading', { name: 'Recipients', level: 1 }).waitFor();

    const managerPage = await t.newPage({ as: manager });
    await managerPage.goto('/users');
    await managerPage.getByRole('button', { name: `Block ${user.user.email}` }).click();
    await managerPage.getByRole('alertdialog').getByRole('button', { name: 'Block' }).click();
    await managerPage.getByText(`${user.user.email} is blocked`).waitFor();
    await managerPage.getByRole('button', { name: `Unblock ${user.user.email}` }).waitFor();

    // The user's next step asks the server, which no longer knows the session.
    await userPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailings' }).click();
    await userPage.waitForURL((url) => url.pathname === '/login');
    await userPage.getByText('Your session has ended. Log in again to continue.').waitFor();
    await userPage.getByLabel('Email').fill(user.user.email);
    await userPage.getByLabel('Password', { exact: true }).fill('browser test password');
    await userPage.getByRole('button', { name: 'Log in' }).click();
    await userPage.getByRole('alert').getByText(/blocked/i).waitFor();
  });

  it('a manager disables a mailing, and its owner sees it', async () => {
    const owner = await t.createUser();
    const manager = await t.createUser(Role.MANAGER);
    const messageId = await createMessage(t.app, owner, 'Spring sale');
    const recipientIds = await createRecipients(t.app, owner, 2);
    const mailingId = await createMailing(t.app, owner, { messageId, recipientIds });

    const managerPage = await t.newPage({ as: manager });
    await managerPage.goto('/mailings');
    await managerPage.getByRole('button', { name: 'Disable: Spring sale' }).click();
    await managerPage.getByRole('alertdialog').getByRole('button', { name: 'Disable' }).click();
    await managerPage.getByText('Mailing disabled').waitFor();
    await managerPage.getByRole('button', { name: 'Enable: Spring sale' }).waitFor();

    const ownerPage = await t.newPage({ as: owner });
    await ownerPage.goto(`/mailings/${mailingId}`);
    await ownerPage.getByText('A manager has disabled this mailing').waitFor();
  });

  it('a user cannot reach the Users page', async () => {
    const user = await t.createUser();
    const page = await t.newPage({ as: user });
    await page.goto('/');
    const menu = page.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Mailings' }).waitFor();
    expect(await menu.getByRole('link', { name: 'Users' }).count()).toBe(0);

    await page.goto('/users');
    await page.getByText('You are not allowed to open this page').waitFor();
    expect(await page.getByRole('table', { name: 'Users' }).count()).toBe(0);
  });
});
