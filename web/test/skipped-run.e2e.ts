import { unsubscribeLinks } from '../../server/src/unsubscribe/unsubscribe-links';
import { runClosed, seedMailing } from '../../server/test/sending-fixtures';
import { waitUntil } from '../../server/test/wait-until';
import { describeInBrowser, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const SEND_NOW = `mutation($id: ID!) { sendMailingNow(id: $id) { id } }`;

describeInBrowser('a run with a recipient who unsubscribed while it went on', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    // One send at a time, claimed two at a time: the recipients further down wait unclaimed.
    t = await startBrowserApp({ SMTP_POOL_SIZE: '1', SEND_BATCH_SIZE: '2', SMTP_SOCKET_TIMEOUT_MS: '120000' });
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('counts the skipped delivery as done: 100 %, "Skipped 1" in the bar, the delivery tagged Skipped', async () => {
    const user = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app.app, user.user, { count: 6, startAt: new Date(Date.now() + 3_600_000) });
    t.app.smtp.hold({ after: 0 });
    const res = await t.app.gql(SEND_NOW, { id: mailingId }, user);
    expect(res.errors).toBeUndefined();
    await waitUntil('a send held in flight', () => t.app.smtp.held >= 1);

    // A recipient whose delivery is still waiting (not claimed) clicks the one-click link.
    const [waiting] = await t.app.app.orm.em.fork().execute<Array<{ recipientId: string; email: string }>>(
      `select r.id as "recipientId", r.email from deliveries d join attempts a on a.id = d.attempt_id
       join recipients r on r.owner_id = ? and r.email = d.email
       where a.mailing_id = ? and d.status = 'PENDING' order by d.email desc limit 1`,
      [user.user.id, mailingId],
    );
    const link = unsubscribeLinks(t.app.app.config)({ ownerId: user.user.id, recipientId: waiting.recipientId }).url;
    expect((await fetch(`${t.app.url}${new URL(link).pathname}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    t.app.smtp.release();
    expect(await runClosed(t.app.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 5, skippedCount: 1 });
    expect(t.app.smtp.countFor(waiting.email)).toBe(0);
    expect(emails.filter((email) => t.app.smtp.countFor(email) === 1)).toHaveLength(5);

    const page = await t.newPage({ as: user });
    await page.goto(`/mailings/${mailingId}`);
    await pageTitled(page, 'Hello {{fullName}}');
    await page.getByText('100 % done').waitFor();
    await page.getByText('Skipped 1', { exact: true }).waitFor();
    const runs = page.getByRole('table', { name: 'Runs', exact: true });
    await runs.getByRole('cell', { name: 'Succeeded', exact: true }).waitFor();
    await runs.getByRole('row').nth(1).click();
    const deliveries = page.getByRole('table', { name: 'Deliveries', exact: true });
    const skippedRow = deliveries.getByRole('row').filter({ hasText: waiting.email });
    await skippedRow.getByText('Skipped', { exact: true }).waitFor();
    await skippedRow.getByText('Not sent: the recipient unsubscribed.').waitFor();

    // The status filter offers Skipped, and then lists that delivery alone.
    await page.locator('#deliveries-status').click();
    await page.getByRole('option', { name: 'Skipped', exact: true }).click();
    const listed = deliveries.getByRole('row').filter({ hasText: '@example.test' });
    await waitUntil('the skipped delivery alone to be listed', async () => (await listed.count()) === 1);
    expect(await listed.first().innerText()).toContain(waiting.email);
  });
});
