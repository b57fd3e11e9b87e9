import fs from 'node:fs';

/** Debian's package (`apt-get install chromium`); CHROMIUM_PATH names another executable. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Where the browser tests look for Chromium. */
export const chromiumPath = (): string => process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM;

export const hasChromium = (): boolean => fs.existsSync(chromiumPath());

/** Headless, and nothing that reaches out to the network on its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
