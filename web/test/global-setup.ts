import { provideTestPostgres } from '../../server/test/global-setup';
import { chromiumPath, hasChromium } from './chromium';

/** The browser tests need Chromium and the PostgreSQL the server tests use; without Chromium they are skipped, loudly. */
export default async function globalSetup(): Promise<void> {
  if (!hasChromium()) {
    const line = '!'.repeat(100);
    process.stderr.write(
      `\n${line}\nBrowser tests skipped: no Chromium at ${chromiumPath()}. ` +
        `Install it (apt-get install chromium) or set CHROMIUM_PATH.\n${line}\n`,
    );
    return;
  }
  await provideTestPostgres();
}
