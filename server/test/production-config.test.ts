import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

const serverDir = path.resolve(__dirname, '..');
const REAL = {
  DATABASE_URL: 'postgres://mailing@db.example.test/mailing',
  SMTP_URL: 'smtp://mail.example.test:587',
  UNSUBSCRIBE_SECRET: 'a-real-secret-of-at-least-32-characters',
};
const STAND_INS = 'the embedded PostgreSQL, the local mail catcher and the public unsubscribe secret are for development only.';

/** Starts the server as `yarn dev` does (without .env) and resolves when it exits. */
function startServer(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { DATABASE_URL: _db, SMTP_URL: _smtp, ...inherited } = process.env;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: serverDir,
      env: { ...inherited, LOG_LEVEL: 'info', PORT: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('NODE_ENV=production refuses the development stand-ins', () => {
  it('does not start without DATABASE_URL, SMTP_URL and UNSUBSCRIBE_SECRET, naming all three in one line', async () => {
    const run = await startServer({ NODE_ENV: 'production' });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      `NODE_ENV=production needs DATABASE_URL, SMTP_URL and UNSUBSCRIBE_SECRET: ${STAND_INS}`,
    ]);
  });

  it('names only what is missing', async () => {
    const run = await startServer({ NODE_ENV: 'production', DATABASE_URL: REAL.DATABASE_URL, UNSUBSCRIBE_SECRET: REAL.UNSUBSCRIBE_SECRET });
    expect(run.code).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^NODE_ENV=production needs SMTP_URL: /)]);
  });

  it('treats empty values (as in .env.sample) as missing', () => {
    expect(() => loadConfig({ ...REAL, NODE_ENV: 'production', DATABASE_URL: '', UNSUBSCRIBE_SECRET: '' })).toThrow(
      new ConfigError(`NODE_ENV=production needs DATABASE_URL and UNSUBSCRIBE_SECRET: ${STAND_INS}`),
    );
  });

  it('refuses an unsubscribe secret shorter than 32 characters', () => {
    expect(() => loadConfig({ ...REAL, NODE_ENV: 'production', UNSUBSCRIBE_SECRET: 'short' })).toThrow(/UNSUBSCRIBE_SECRET: At least 32 characters/);
  });

  it('starts with both set', () => {
    expect(loadConfig({ NODE_ENV: 'production', ...REAL })).toMatchObject({ NODE_ENV: 'production', ...REAL });
  });

  it('leaves development and tests their stand-ins', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test' }).SMTP_URL).toBeUndefined();
    expect(loadConfig({ NODE_ENV: 'test' }).UNSUBSCRIBE_SECRET).toMatch(/development only/);
    expect(loadConfig({}).NODE_ENV).toBe('development');
  });
});
