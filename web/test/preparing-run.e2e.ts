import { openAttempt } from '../../server/src/sending/open-attempt';
import { FAST_SENDING, runClosed, seedMailing } from '../../server/test/sending-fixtures';
import { describeInBrowser, openSection, pageTitled, startBrowserApp, type BrowserApp } from './browser';

const SUBJECT = 'Winter catalogue';
const COUNT = 12;
const CHUNK = 5;

describeInBrowser('a run that is still preparing in the browser', () => {
  let t: BrowserApp;
  beforeAll(async () => {
    t = await startBrowserApp({ ...FAST_SENDING, PREPARE_CHUNK_SIZE: String(CHUNK) });
  });
  afterEach(() => t.closePages());
  afterAll(() => t?.close());

  it('shows "Preparing…" with the recipients picked so far and what became of them on the mailing page and Home, then its progress once all are picked', async () => {
    const owner = await t.createUser();
    const { mailingId } = await seedMailing(t.app.app, owner.user, { count: COUNT, subject: SUBJECT, startAt: new Date(Date.now() + 3_600_000) });
    // Opened with its first chunk and handed to no worker yet: it stays PREPARING while the page looks.
    const attempt = await openAttempt(t.app.app.orm.em, mailingId, 'mail.example.test', { chunkSize: CHUNK });
    expect(attempt.status).toBe('PREPARING');

    const page = await t.newPage({ as: owner });
    await page.goto(`/mailings/${mailingId}`);
    await pageTitled(page, SUBJECT);
    const preparing = page.getByRole('status').filter({ hasText: 'Preparing…' });
    await preparing.getByText(`${CHUNK} recipients picked so far`, { exact: true }).waitFor();
    // Those picked so far can go out meanwhile: the bar counts them, with no percentage of a total not known yet.
    await page.getByRole('meter', { name: `0 done of ${CHUNK} picked so far`, exact: true }).waitFor();
    await page.getByRole('table', { name: 'Runs', exact: true }).getByRole('cell', { name: 'Preparing', exact: true }).waitFor();

    await openSection(page, 'Home', 'Welcome, Test User');
    const homeItem = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: SUBJECT, exact: true }) });
    await homeItem.getByText('Preparing…').waitFor();
    await homeItem.getByRole('meter', { name: `0 done of ${CHUNK} picked so far`, exact: true }).waitFor();

    // A worker prepares the rest and sends it; the page follows.
    await page.goto(`/mailings/${mailingId}`);
    await t.app.app.scheduler.queueAttempt(attempt.id);
    expect(await runClosed(t.app.app, mailingId)).toMatchObject({ status: 'SUCCESS', total: COUNT });
    await page.getByRole('meter', { name: '100 % done', exact: true }).waitFor();
    expect(await page.getByText('Preparing…').count()).toBe(0);
  });
});
