import pino from 'pino';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config';
import { createMailer } from '../src/mail/mailer';

it('without SMTP_URL, mail goes to the local catcher, which logs it decoded (links intact)', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  const mailer = await createMailer(loadConfig({ NODE_ENV: 'test', LOCAL_SMTP_PORT: '0' }), logger);
  try {
    const link = 'http://app.test/verify-email?token=' + 'x'.repeat(120);
    await mailer.send({ to: 'new@example.test', subject: 'Confirm your email', text: `Open this link:\n${link}\n` });
    const entry = lines.map((l) => JSON.parse(l) as { to: string; subject: string; msg: string }).find((e) => e.to === 'new@example.test');
    expect(entry).toMatchObject({ subject: 'Confirm your email' });
    expect(entry!.msg).toContain(link);
  } finally {
    await mailer.close();
  }
});
