import { simpleParser } from 'mailparser';
import { Message, MessageFormat } from '../src/messages/message.entity';
import { Mailing } from '../src/mailings/mailing.entity';
import { openAttempt } from '../src/sending/open-attempt';
import { startTestApp, type TestApp } from './harness';
import { ok } from './mailing-helpers';
import { FAST_SENDING, runClosed, seedMailing } from './sending-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ ...FAST_SENDING, MAIL_FROM: 'News <news@mail.example.test>' });
});
afterAll(() => t?.close());

const FIELDS = 'id subject body format';
const CREATE = `mutation($input: MessageInput!) { createMessage(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: MessageUpdateInput!) { updateMessage(id: $id, input: $input) { ${FIELDS} } }`;

const TRICKY_NAME = `Tom & "Jerry" <script>alert(1)</script>`;
const HTML_BODY = `<h1>Hello {{fullName}}</h1>
<p>This goes to <a href="https://shop.example/?for={{email}}">{{ email }}</a>.</p>
<ul><li>one</li><li>two</li></ul>`;

describe('message formats in the API', () => {
  it('are TEXT unless HTML is asked for, and can be changed', async () => {
    const owner = await t.createUser();
    const text = ok(await t.gql(CREATE, { input: { subject: 'Plain', body: 'Hi' } }, owner)).createMessage;
    expect(text.format).toBe('TEXT');
    const html = ok(await t.gql(CREATE, { input: { subject: 'Rich', body: '<p>Hi</p>', format: 'HTML' } }, owner)).createMessage;
    expect(html).toMatchObject({ body: '<p>Hi</p>', format: 'HTML' });
    const changed = ok(await t.gql(UPDATE, { id: text.id, input: { format: 'HTML' } }, owner)).updateMessage;
    expect(changed).toMatchObject({ body: 'Hi', format: 'HTML' });
  });

  it('refuse an unknown format and change nothing', async () => {
    const owner = await t.createUser();
    const { id } = ok(await t.gql(CREATE, { input: { subject: 'Plain', body: 'Hi' } }, owner)).createMessage;
    const res = await t.gql(UPDATE, { id, input: { format: 'PDF' } }, owner);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await t.app.orm.em.fork().findOneOrFail(Message, id)).format).toBe('TEXT');
  });
});

describe('an HTML message', () => {
  it('arrives as multipart/alternative: the HTML with names escaped, and a text part made from it', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, {
      count: 1,
      fullNames: [TRICKY_NAME],
      subject: 'For {{fullName}}',
      body: HTML_BODY,
      format: MessageFormat.HTML,
    });
    await t.app.scheduler.mailingSaved(mailingId);
    expect((await runClosed(t.app, mailingId)).status).toBe('SUCCESS');
    const email = emails[0]!;
    const mail = await simpleParser((await t.smtp.mailTo(email)).raw);

    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    // Its boundary is made unique by its delivery's id (the Message-ID's local part), not random bytes.
    const deliveryId = mail.messageId!.slice(1).split('@')[0]!;
    expect((mail.headers.get('content-type') as { params: { boundary: string } }).params.boundary).toContain(deliveryId.replaceAll('-', ''));
    expect(mail.subject).toBe(`For ${TRICKY_NAME}`);
    expect(mail.html).toContain('<h1>Hello Tom &amp; &quot;Jerry&quot; &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(mail.html).toContain(`<a href="https://shop.example/?for=${email}">${email}</a>`);
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain(`Hello ${TRICKY_NAME}`);
    expect(mail.text).toContain(`This goes to ${email}\n[https://shop.example/?for=${email}].`); // wrapped at 78
    expect(mail.text).toMatch(/\* one\n \* two/);
    expect(mail.text).not.toContain('<h1>');
  });

  it('goes out in the format it had when its run opened', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, body: '<p>Hi <b>{{fullName}}</b></p>', format: MessageFormat.HTML });
    await openAttempt(t.app.orm.em, mailingId, 'mail.example.test');
    const em = t.app.orm.em.fork();
    const mailing = await em.findOneOrFail(Mailing, mailingId);
    await em.nativeUpdate(Message, { id: mailing.message.id }, { format: MessageFormat.TEXT, body: 'changed' });

    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    const mail = await simpleParser((await t.smtp.mailTo(emails[0]!)).raw);
    expect(mail.html).toContain('<p>Hi <b>Reader 0</b></p>');
    expect(mail.text).toContain('Hi Reader 0');
  });

  it('a plain-text message stays a single text part', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, fullNames: [TRICKY_NAME], body: '<b>{{fullName}}</b>' });
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    const mail = await simpleParser((await t.smtp.mailTo(emails[0]!)).raw);
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'text/plain' });
    expect(mail.html).toBe(false);
    expect(mail.text).toBe(`<b>${TRICKY_NAME}</b>\n`);
  });

  it('goes as base64 when mostly Cyrillic and quoted-printable when mostly Latin, and reads back whole', async () => {
    const { user } = await t.createUser();
    const cyrillic = `Здравствуйте, {{fullName}}! ${'Новости недели. '.repeat(10)}`;
    const latin = `Hello {{fullName}}! ${'The news of the week. '.repeat(10)}`;
    for (const [body, encoding] of [
      [cyrillic, 'base64'],
      [latin, 'quoted-printable'],
    ] as const) {
      const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, fullNames: ['Анна'], subject: 'Для {{fullName}}', body });
      await t.app.scheduler.mailingSaved(mailingId);
      await runClosed(t.app, mailingId);
      const { raw } = await t.smtp.mailTo(emails[0]!);
      expect(raw).toContain(`Content-Transfer-Encoding: ${encoding}`);
      const mail = await simpleParser(raw);
      expect(mail.subject).toBe('Для Анна');
      // (the parser ends a quoted-printable text with a line break)
      expect(mail.text?.replace(/\n$/, '')).toBe(body.replace('{{fullName}}', 'Анна'));
    }
  });
});
