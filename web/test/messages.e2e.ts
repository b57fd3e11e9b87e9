import { createMailing, createMessage, ok } from '../../server/test/mailing-helpers';
import { describeInBrowser, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const CREATE_RECIPIENT = 'mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }';
const FIRST_RECIPIENT = '{ recipients(limit: 1) { items { email fullName } } }';
const MESSAGE_SUBJECTS = '{ messages { items { subject } } }';

describeInBrowser('messages in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp();
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('inserts placeholders at the cursor and previews the message for one of the user’s recipients', async () => {
    const user = await t.createUser();
    for (const [email, fullName] of [
      ['ann@example.com', 'Ann Archer'],
      ['bob@example.com', 'Bob Baker'],
    ]) {
      ok(await t.app.gql(CREATE_RECIPIENT, { input: { email, fullName } }, user));
    }
    const first = ok<{ recipients: { items: Array<{ email: string; fullName: string }> } }>(await t.app.gql(FIRST_RECIPIENT, {}, user)).recipients.items[0];
    const other = first.email === 'ann@example.com' ? { email: 'bob@example.com', fullName: 'Bob Baker' } : { email: 'ann@example.com', fullName: 'Ann Archer' };

    const page = await t.newPage({ as: user });
    await page.goto('/messages/new');
    await pageTitled(page, 'New message');
    const subject = page.getByLabel('Subject', { exact: true });
    await subject.fill('News for ');
    await page.getByRole('button', { name: 'Insert {{fullName}} into the subject' }).click();
    expect(await subject.inputValue()).toBe('News for {{fullName}}');

    const body = page.getByLabel('Body', { exact: true });
    await body.fill('Dear , this goes to you.');
    await body.focus();
    await body.evaluate((textarea: HTMLTextAreaElement) => textarea.setSelectionRange(5, 5)); // after "Dear "
    await page.getByRole('button', { name: 'Insert {{fullName}} into the body' }).click();
    await page.keyboard.type(' at');
    await page.getByRole('button', { name: 'Insert {{email}} into the body' }).click();
    expect(await body.inputValue()).toBe('Dear {{fullName}} at{{email}}, this goes to you.');

    const preview = page.getByRole('article', { name: 'Message preview' });
    await preview.getByText(`Dear ${first.fullName} at${first.email}, this goes to you.`).waitFor();
    expect(await preview.innerText()).toContain(`News for ${first.fullName}`);

    await page.getByRole('combobox', { name: 'Preview for' }).click();
    await page.getByPlaceholder('Search your recipients').fill(other.fullName.split(' ')[0]);
    await page.getByRole('option', { name: `${other.fullName} <${other.email}>` }).click();
    await preview.getByText(`Dear ${other.fullName} at${other.email}, this goes to you.`).waitFor();
    expect(await preview.innerText()).toContain(`News for ${other.fullName}`);

    await page.getByRole('button', { name: 'Create message', exact: true }).click();
    await pageTitled(page, 'Messages');
    await page.getByRole('table', { name: 'Messages' }).getByText('News for {{fullName}}').waitFor();
  });

  it('previews for a sample recipient when the user has none', async () => {
    const user = await t.createUser();
    const page = await t.newPage({ as: user });
    await page.goto('/messages/new');
    await pageTitled(page, 'New message');
    await page.getByLabel('Body', { exact: true }).fill('Dear {{fullName}} <{{email}}>. Leave: {{unsubscribeUrl}}');
    await page.getByText('You have no recipients yet, so the preview is for a sample recipient').waitFor();
    await page
      .getByRole('article', { name: 'Message preview' })
      .getByText(`Dear Ada Lovelace <ada@example.com>. Leave: ${t.url}/unsubscribe/example-link`)
      .waitFor();
  });

  it('previews an HTML message in a sandboxed frame where none of its scripts runs, and saves it as HTML', async () => {
    const user = await t.createUser();
    ok(await t.app.gql(CREATE_RECIPIENT, { input: { email: 'tom@example.com', fullName: 'Tom <b>&</b> Jerry' } }, user));
    // What Chromium says when the frame's sandbox stops the message's script: the point of the test.
    const page = await t.newPage({ as: user, expectedErrors: /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/ });
    await page.goto('/messages/new');
    await pageTitled(page, 'New message');
    await page.getByLabel('Subject', { exact: true }).fill('Rich news');
    await page.getByRole('group', { name: 'Format' }).getByRole('button', { name: 'HTML', exact: true }).click();
    await page.getByLabel('Body', { exact: true }).fill(
      '<h1>Hello {{fullName}}</h1><p>Spring <em>sale</em></p><script>parent.document.title = "hacked"</script>',
    );
    const frame = page.getByTitle('HTML preview');
    expect(await frame.getAttribute('sandbox')).toBe('');
    const heading = page.frameLocator('iframe[title="HTML preview"]').getByRole('heading', { level: 1 });
    await heading.getByText('Hello Tom <b>&</b> Jerry', { exact: true }).waitFor();
    expect(await page.title()).not.toBe('hacked');

    await page.getByRole('button', { name: 'Create message', exact: true }).click();
    await pageTitled(page, 'Messages');
    // The list shows the message's text, not its markup.
    await page.getByRole('table', { name: 'Messages' }).getByText('Hello {{fullName}} Spring sale', { exact: true }).waitFor();
    const saved = ok<{ messages: { items: Array<{ subject: string; format: string }> } }>(await t.app.gql('{ messages { items { subject format } } }', {}, user)).messages.items;
    expect(saved).toEqual([{ subject: 'Rich news', format: 'HTML' }]);
    expect(await page.title()).not.toBe('hacked');
  });

  it('sets the sender: From name and Reply-To, shown in the preview, the defaults while empty', async () => {
    const user = await t.createUser();
    const page = await t.newPage({ as: user });
    await page.goto('/messages/new');
    await pageTitled(page, 'New message');
    await page.getByLabel('Subject', { exact: true }).fill('From someone');
    await page.getByLabel('Body', { exact: true }).fill('Hi');
    const preview = page.getByRole('article', { name: 'Message preview' });
    await preview.getByText('Test User <no-reply@localhost>', { exact: true }).waitFor();
    await preview.getByText(user.user.email, { exact: true }).waitFor();
    // Without MAIL_FROM_DOMAINS every message is from the server's address: no field for it.
    expect(await page.getByLabel('From address').count()).toBe(0);

    await page.getByLabel('From name', { exact: true }).fill(`Zoë "Z" O'Brien, Ltd.`);
    const replyTo = page.getByLabel('Reply-To', { exact: true });
    await replyTo.fill('not an address');
    await page.getByRole('button', { name: 'Create message', exact: true }).click();
    await page.getByText('Reply-To must be an email address, or empty for the default.').waitFor();
    await replyTo.fill('zoe@example.org');
    await preview.getByText(`Zoë "Z" O'Brien, Ltd. <no-reply@localhost>`, { exact: true }).waitFor();
    await preview.getByText('zoe@example.org', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Create message', exact: true }).click();
    await pageTitled(page, 'Messages');
    const saved = ok<{ messages: { items: Array<Record<string, unknown>> } }>(await t.app.gql('{ messages { items { fromName fromAddress replyTo } } }', {}, user)).messages.items;
    expect(saved).toEqual([{ fromName: `Zoë "Z" O'Brien, Ltd.`, fromAddress: null, replyTo: 'zoe@example.org' }]);
  });

  it('says how many mailings still use a message it cannot delete, and deletes one nothing uses', async () => {
    const user = await t.createUser();
    const recipientId = ok<{ createRecipient: { id: string } }>(await t.app.gql(CREATE_RECIPIENT, { input: { email: 'ann@example.com' } }, user)).createRecipient.id;
    const usedId = await createMessage(t.app, user, 'Used twice');
    for (let i = 0; i < 2; i++) await createMailing(t.app, user, { messageId: usedId, recipientIds: [recipientId] });
    await createMessage(t.app, user, 'Unused');

    const page = await t.newPage({ as: user });
    await page.goto('/messages');
    const table = page.getByRole('table', { name: 'Messages' });
    await table.getByText('Used by 2 mailings', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Delete “Used twice”' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByText('This message is used by 2 mailings.', { exact: false }).waitFor();

    await page.getByRole('button', { name: 'Delete “Unused”' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Delete', exact: true }).click();
    await table.getByText('Unused', { exact: true }).waitFor({ state: 'detached' });

    const left = ok<{ messages: { items: Array<{ subject: string }> } }>(await t.app.gql(MESSAGE_SUBJECTS, {}, user)).messages.items;
    expect(left.map((message) => message.subject)).toEqual(['Used twice']);
  });
});
