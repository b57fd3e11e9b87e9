import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { simpleParser } from 'mailparser';
import { Role } from '../../server/src/common/actor';
import { SESSION_COOKIE } from '../../server/src/auth/current-user';
import { startTestApp, type TestApp, type TestUser } from '../../server/test/harness';
import { waitUntil } from '../../server/test/wait-until';
import { CHROMIUM_ARGS, chromiumPath, hasChromium } from './chromium';

/** Generous: a wait ends only a broken test, never paces one (a busy CI machine is slow). */
const WAIT_MS = 60_000;

/** Where each test's pages leave a screenshot of how they ended (git-ignored). */
const RESULTS_DIR = path.join(__dirname, '../test-results');

/** The password of every account made with `createUser`. */
export const PASSWORD = 'browser test password';

/** `describe` for browser tests: skipped when there is no Chromium (the global setup says so loudly). */
export const describeInBrowser: jest.Describe = hasChromium() ? describe : describe.skip;

export interface BrowserApp {
  /** The real server (serving the built web app in web/dist) on a fresh database, with the test SMTP server. */
  app: TestApp;
  url: string;
  /** A verified account with PASSWORD. */
  createUser(role?: Role): Promise<TestUser>;
  /**
   * A page in a browser context of its own (its own cookies); logged in as `as` through the API when given.
   * `expectedErrors`: console errors the test causes on purpose (e.g. a script the page blocks), not counted as failures.
   */
  newPage(opts?: { as?: TestUser; expectedErrors?: RegExp }): Promise<Page>;
  /** The link in the mail (waited for) to `to` with `subject`, opening this test server's web app. */
  linkFromMail(to: string, subject: string): Promise<string>;
  /**
   * Closes the pages opened since the last call, each after a screenshot of how it ended
   * (web/test-results/‹test›-‹n›.png, for looking into a failure), and fails naming any
   * console error or page error they had.
   */
  closePages(): Promise<void>;
  close(): Promise<void>;
}

const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { user { id } } }';

/** One server and one Chromium for a test file; each `newPage` is a fresh context (a person of their own). */
export async function startBrowserApp(overrides: Parameters<typeof startTestApp>[0] = {}): Promise<BrowserApp> {
  const app = await startTestApp(overrides);
  const browser: Browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  let opened: Array<{ context: BrowserContext; errors: string[] }> = [];

  async function sessionCookie(user: TestUser): Promise<string> {
    const res = await app.gql(LOGIN, { email: user.user.email, password: PASSWORD });
    if (res.errors) throw new Error(`login of ${user.user.email} failed: ${res.errors[0].message}`);
    const cookie = res.cookies.find((header) => header.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new Error(`login of ${user.user.email} set no ${SESSION_COOKIE} cookie`);
    return decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1).split(';')[0]);
  }

  return {
    app,
    url: app.url,
    createUser: (role = Role.USER) => app.createUser({ role, password: PASSWORD }),
    async newPage({ as, expectedErrors } = {}) {
      // A fixed zone and locale: dates typed into a form read the same on every machine.
      const context = await browser.newContext({ baseURL: app.url, viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
      context.setDefaultTimeout(WAIT_MS);
      const errors: string[] = [];
      opened.push({ context, errors });
      context.on('console', (message) => {
        if (message.type() === 'error' && !expectedErrors?.test(message.text())) errors.push(`console error on ${message.page()?.url()}: ${message.text()}`);
      });
      context.on('weberror', (error) => errors.push(`page error on ${error.page()?.url()}: ${error.error().stack}`));
      if (as) await context.addCookies([{ name: SESSION_COOKIE, value: await sessionCookie(as), url: app.url, httpOnly: true, sameSite: 'Lax' }]);
      return context.newPage();
    },
    async linkFromMail(to, subject) {
      const mail = await app.smtp.mailTo(to, { subject });
      const { text = '' } = await simpleParser(mail.raw);
      const link = text.split(/\s+/).find((word) => word.startsWith(app.app.config.APP_URL));
      if (!link) throw new Error(`no link to ${app.app.config.APP_URL} in "${mail.subject}" to ${to}:\n${text}`);
      // The harness's APP_URL is a placeholder: the link's path and query open on this server.
      const { pathname, search } = new URL(link);
      return new URL(pathname + search, app.url).toString();
    },
    async closePages() {
      const contexts = opened;
      opened = [];
      const test = (expect.getState().currentTestName ?? 'test').replace(/[^\w]+/g, '-').slice(0, 100);
      await fs.mkdir(RESULTS_DIR, { recursive: true });
      const pages = contexts.flatMap(({ context }) => context.pages());
      await Promise.all(pages.map((page, i) => page.screenshot({ path: path.join(RESULTS_DIR, `${test}-${i + 1}.png`), fullPage: true }).catch(() => undefined)));
      await Promise.all(contexts.map(({ context }) => context.close()));
      expect(contexts.flatMap(({ errors }) => errors)).toEqual([]);
    },
    async close() {
      // Answers what a failed test left held, so the server's sending can stop.
      app.smtp.reset();
      await browser.close();
      await app.close();
    },
  };
}

/** Waits for the page titled `title`: pages share labels (Email, Log in), so nothing is touched before it shows. */
export const pageTitled = (page: Page, title: string) => page.getByRole('heading', { name: title, exact: true, level: 1 }).waitFor();

/** Opens a page from the sidebar and waits for it. */
export async function openSection(page: Page, name: string, title = name): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await pageTitled(page, title);
}

/** Follows a link (or a button that is one) to the page titled `title`. */
export async function clickLink(page: Page, name: string, title: string): Promise<void> {
  await page.getByRole('link', { name, exact: true }).click();
  await pageTitled(page, title);
}

/**
 * The dialog named `name` once it has finished opening. A dialog moves the focus to its first
 * field when its opening animation ends: text typed into another field before then would land
 * in that one. Vue keeps the transition's `…-enter-active` class on it until that moment.
 */
export async function openedDialog(page: Page, name: string): Promise<Locator> {
  const dialog = page.getByRole('dialog', { name, exact: true });
  await dialog.waitFor();
  await waitUntil(`the dialog "${name}" to open`, () =>
    dialog.evaluate((element) => !Array.from(element.classList).some((name) => name.endsWith('-enter-active'))),
  );
  return dialog;
}
