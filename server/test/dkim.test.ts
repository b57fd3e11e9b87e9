import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { ConfigError, loadConfig } from '../src/config';
import { startTestApp, type TestApp } from './harness';
import { FAST_SENDING, runClosed, seedMailing } from './sending-fixtures';

const DOMAIN = 'mail.example.test';
const SELECTOR = 'test2026';

const rsaKey = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });
const { privateKey, publicKey } = rsaKey();
const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The TXT record README tells operators to publish, as `openssl … -pubout -outform DER | base64` gives it. */
const txtRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

/** DNS as the test answers it: the selector's TXT record and nothing else (no network). */
async function resolver(name: string, type: string): Promise<string[][]> {
  if (type === 'TXT' && name.toLowerCase() === `${SELECTOR}._domainkey.${DOMAIN}`) return [[txtRecord]];
  throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
}

async function verify(raw: string) {
  const { results } = await dkimVerify(Buffer.from(raw), { resolver });
  return results.map((r) => ({ result: r.status.result, domain: r.signingDomain, selector: r.selector }));
}

describe('DKIM signing', () => {
  let t: TestApp;
  let keyDir: string;
  beforeAll(async () => {
    keyDir = mkdtempSync(path.join(tmpdir(), 'dkim-'));
    const keyFile = path.join(keyDir, 'dkim.pem');
    writeFileSync(keyFile, privatePem, { mode: 0o600 });
    t = await startTestApp({
      ...FAST_SENDING,
      MAIL_FROM: `News <news@${DOMAIN}>`,
      DKIM_DOMAIN: DOMAIN,
      DKIM_SELECTOR: SELECTOR,
      DKIM_PRIVATE_KEY_FILE: keyFile,
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('signs every message of a mailing so that it verifies against the published key', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 2, subject: 'Grüße, {{fullName}}', body: 'Привет {{fullName}} 👋\nשלום' });
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);

    for (const email of emails) {
      const mail = await t.smtp.mailTo(email);
      expect(await verify(mail.raw)).toEqual([{ result: 'pass', domain: DOMAIN, selector: SELECTOR }]);
    }
    // The verifier really checks: a changed body no longer passes.
    const raw = (await t.smtp.mailTo(emails[0]!)).raw.replace('Reader 0', 'Reader X');
    expect((await verify(raw))[0]!.result).toBe('fail');
  });

  it('signs the service’s own mail too', async () => {
    const { user } = await t.createUser();
    const res = await t.gql(`mutation($email: String!) { requestPasswordReset(email: $email) }`, { email: user.email });
    expect(res.errors).toBeUndefined();
    const mail = await t.smtp.mailTo(user.email, { subject: 'Reset' });
    expect(await verify(mail.raw)).toEqual([{ result: 'pass', domain: DOMAIN, selector: SELECTOR }]);
  });
});

describe('DKIM settings', () => {
  const complete = { DKIM_DOMAIN: DOMAIN, DKIM_SELECTOR: SELECTOR, DKIM_PRIVATE_KEY: privatePem };

  it('are off when none is set', () => {
    expect(loadConfig({}).DKIM).toBeUndefined();
  });

  it('take the key inline, also with \\n for its line breaks', () => {
    expect(loadConfig(complete).DKIM).toEqual({ domainName: DOMAIN, keySelector: SELECTOR, privateKey: privatePem });
    const oneLine = privatePem.replace(/\n/g, '\\n');
    expect(loadConfig({ ...complete, DKIM_PRIVATE_KEY: oneLine }).DKIM?.privateKey).toBe(privatePem);
  });

  it('are all or none: a missing one is named', () => {
    const attempt = () => loadConfig({ DKIM_DOMAIN: DOMAIN, DKIM_PRIVATE_KEY: privatePem });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/DKIM_SELECTOR/);
    expect(() => loadConfig({ DKIM_SELECTOR: SELECTOR, DKIM_DOMAIN: DOMAIN })).toThrow(/DKIM_PRIVATE_KEY \(or DKIM_PRIVATE_KEY_FILE\) missing/);
  });

  it('refuse a key that cannot sign, saying why', () => {
    expect(() => loadConfig({ ...complete, DKIM_PRIVATE_KEY: 'not a key' })).toThrow(/DKIM_PRIVATE_KEY: not an unencrypted PEM private key/);
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(() => loadConfig({ ...complete, DKIM_PRIVATE_KEY: publicPem })).toThrow(/DKIM_PRIVATE_KEY: not an unencrypted PEM private key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadConfig({ ...complete, DKIM_PRIVATE_KEY: ec })).toThrow(/the DKIM key is ec; an RSA private key is needed/);
    const small = rsaKey(512).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadConfig({ ...complete, DKIM_PRIVATE_KEY: small })).toThrow(/512 bits/);
  });

  it('refuse a key file that cannot be read, and a key given twice', () => {
    const { DKIM_PRIVATE_KEY: _, ...withoutKey } = complete;
    expect(() => loadConfig({ ...withoutKey, DKIM_PRIVATE_KEY_FILE: '/nonexistent/dkim.pem' })).toThrow(/DKIM_PRIVATE_KEY_FILE: cannot read the DKIM key file/);
    expect(() => loadConfig({ ...complete, DKIM_PRIVATE_KEY_FILE: '/nonexistent/dkim.pem' })).toThrow(/not both/);
  });

  it('refuse a domain or selector that is no DNS name', () => {
    expect(() => loadConfig({ ...complete, DKIM_DOMAIN: 'not a domain' })).toThrow(/DKIM_DOMAIN/);
    expect(() => loadConfig({ ...complete, DKIM_SELECTOR: 'a b' })).toThrow(/DKIM_SELECTOR/);
  });
});
