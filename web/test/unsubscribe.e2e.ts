import { Recipient } from '../../server/src/recipients/recipient.entity';
import { openAttempt } from '../../server/src/sending/open-attempt';
import { unsubscribeLinks } from '../../server/src/unsubscribe/unsubscribe-links';
import { runClosed, seedMailing } from '../../server/test/sending-fixtures';
import { describeInBrowser, startBrowserApp, type BrowserApp } from './browser';

describeInBrowser('unsubscribing in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp();
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('opens the link of a received message, unsubscribes, undoes it and unsubscribes again, under the app’s CSP', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app.app, owner.user, { count: 1, subject: 'Spring news', body: 'Stop these mails: {{unsubscribeUrl}}' });
    await t.app.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app.app, mailingId);
    const link = await t.linkFromMail(emails[0], 'Spring news');
    const unsubscribedAt = async () => (await t.app.app.orm.em.fork().findOneOrFail(Recipient, { email: emails[0] })).unsubscribedAt ?? null;

    // Someone else's browser: no session. A console error (a CSP violation included) fails the test.
    const page = await t.newPage();
    await page.goto(link);
    await page.getByRole('heading', { name: 'Unsubscribe?' }).waitFor();
    // The page's own style applies (its nonce passed the CSP): the card is not the browser's plain default.
    expect(await page.locator('main').evaluate((main) => getComputedStyle(main).maxWidth)).toBe('512px');
    expect(await unsubscribedAt()).toBeNull();

    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect(await unsubscribedAt()).toBeInstanceOf(Date);

    await page.getByRole('button', { name: 'Subscribe again' }).click();
    await page.getByRole('heading', { name: 'You are subscribed again' }).waitFor();
    expect(await unsubscribedAt()).toBeNull();

    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    expect(await unsubscribedAt()).toBeInstanceOf(Date);
  });

  it('counts the skipped delivery of a recipient who unsubscribed during the run in the home page’s latest runs', async () => {
    const owner = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app.app, owner.user, { count: 2, subject: 'Autumn news' });
    await openAttempt(t.app.app.orm.em, mailingId, 'example.test');
    const quitter = await t.app.app.orm.em.fork().findOneOrFail(Recipient, { email: emails[0] });
    const link = unsubscribeLinks(t.app.app.config)({ ownerId: owner.user.id, recipientId: quitter.id }).url;
    expect((await fetch(new URL(new URL(link).pathname, t.url), { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    await t.app.app.scheduler.mailingSaved(mailingId);
    expect(await runClosed(t.app.app, mailingId)).toMatchObject({ status: 'SUCCESS', sentCount: 1, skippedCount: 1 });

    const page = await t.newPage({ as: owner });
    await page.goto('/');
    await page.getByRole('heading', { name: 'Latest runs' }).waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Autumn news' }).getByText('1 sent of 2, 1 skipped').waitFor();
  });
});
