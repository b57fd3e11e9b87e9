// Browser tests: Chromium driven by playwright-core against the real server (started by the
// server's test harness, serving the built web app in web/dist) and a real database.
// Run from server/ (`yarn workspace @mailing/web test`): the server's swc setup, node_modules
// and MikroORM's migrations resolve from there, as in the server's own tests.
const path = require('node:path');
const serverConfig = require('../server/jest.config.js');

const webTest = path.join(__dirname, 'test');

/** @type {import('jest').Config} */
module.exports = {
  ...serverConfig,
  rootDir: path.join(__dirname, '../server'),
  roots: [webTest],
  testMatch: ['**/*.e2e.ts'],
  globalSetup: path.join(webTest, 'global-setup.ts'),
  // One browser at a time: the machine's cores go to Chromium and the server it drives. In-band,
  // jest then waits up to half a job lock's lifetime after the last test: Agenda 6 leaves each
  // job's watchdog timer (JobProcessor, checkIfJobIsStillAlive) running after agenda.stop().
  maxWorkers: 1,
};
