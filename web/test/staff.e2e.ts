import { Role } from '../../server/src/common/actor';
import { createMailing, createMessage, createRecipients } from '../../server/test/mailing-helpers';
import { describeInBrowser, openSection, pageTitled, PASSWORD, startBrowserApp, type BrowserApp } from './browser';

describeInBrowser('staff in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp();
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('a manager blocks a user, whose open page then loses its session', async () => {
    const user = await t.createUser();
    const email = user.user.email;
    const manager = await t.createUser(Role.MANAGER);

    const userPage = await t.newPage({ as: user });
    await userPage.goto('/recipients');
    await pageTitled(userPage, 'Recipients');

    const managerPage = await t.newPage({ as: manager });
    await managerPage.goto('/users');
    await pageTitled(managerPage, 'Users');
    await managerPage.getByRole('button', { name: `Block ${email}`, exact: true }).click();
    await managerPage.getByRole('alertdialog').getByRole('button', { name: 'Block', exact: true }).click();
    await managerPage.getByText(`${email} is blocked`, { exact: true }).waitFor();
    await managerPage.getByRole('button', { name: `Unblock ${email}`, exact: true }).waitFor();

    // The user's next step asks the server, which no longer knows the session.
    await userPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Mailings', exact: true }).click();
    await pageTitled(userPage, 'Log in');
    await userPage.getByText('Your session has ended. Log in again to continue.', { exact: true }).waitFor();
    await userPage.getByLabel('Email', { exact: true }).fill(email);
    await userPage.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await userPage.getByRole('button', { name: 'Log in', exact: true }).click();
    await userPage.getByRole('alert').getByText('Account blocked: contact an administrator.', { exact: true }).waitFor();
    expect(new URL(userPage.url()).pathname).toBe('/login');
  });

  it('a manager disables a mailing, and its owner sees it', async () => {
    const owner = await t.createUser();
    const manager = await t.createUser(Role.MANAGER);
    const messageId = await createMessage(t.app, owner, 'Spring sale');
    const recipientIds = await createRecipients(t.app, owner, 2);
    const mailingId = await createMailing(t.app, owner, { messageId, recipientIds });

    const managerPage = await t.newPage({ as: manager });
    await managerPage.goto('/');
    await openSection(managerPage, 'Mailings', 'Everyone’s mailings');
    await managerPage.getByRole('button', { name: 'Disable: Spring sale', exact: true }).click();
    await managerPage.getByRole('alertdialog').getByRole('button', { name: 'Disable', exact: true }).click();
    await managerPage.getByText('Mailing disabled', { exact: true }).waitFor();
    await managerPage.getByRole('button', { name: 'Enable: Spring sale', exact: true }).waitFor();

    const ownerPage = await t.newPage({ as: owner });
    await ownerPage.goto(`/mailings/${mailingId}`);
    await pageTitled(ownerPage, 'Spring sale');
    await ownerPage.getByText('A manager has disabled this mailing: nothing is sent until it is enabled again.', { exact: true }).waitFor();
  });

  it('a user cannot reach the Users page', async () => {
    const user = await t.createUser();
    const page = await t.newPage({ as: user });
    await page.goto('/');
    const menu = page.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Mailings', exact: true }).waitFor();
    expect(await menu.getByRole('link', { name: 'Users', exact: true }).count()).toBe(0);

    await page.goto('/users');
    await page.getByText('You are not allowed to open this page', { exact: true }).waitFor();
    expect(await page.getByRole('table', { name: 'Users' }).count()).toBe(0);
  });
});
