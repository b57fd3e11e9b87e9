import { simpleParser, type AddressObject } from 'mailparser';
import { Mailing } from '../src/mailings/mailing.entity';
import { Message } from '../src/messages/message.entity';
import { openAttempt } from '../src/sending/open-attempt';
import { User } from '../src/users/user.entity';
import { startTestApp, type TestApp } from './harness';
import { ok } from './mailing-helpers';
import { FAST_SENDING, runClosed, seedMailing } from './sending-fixtures';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    ...FAST_SENDING,
    MAIL_FROM: 'News Service <news@mail.example.test>',
    MAIL_FROM_DOMAINS: 'letters.example.test, Shop.Example.test',
  });
});
afterAll(() => t?.close());

const FIELDS = 'id subject fromName fromAddress replyTo';
const CREATE = `mutation($input: MessageInput!) { createMessage(input: $input) { ${FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: MessageUpdateInput!) { updateMessage(id: $id, input: $input) { ${FIELDS} } }`;

const TRICKY_NAMES = [
  `Zoë "Z" O'Brien, Ltd.`,
  'Müller; <Team> (Sales)',
  '王小明 — 客服',
  'Back\\slash "and" quotes',
  'ملف الأخبار',
];

/** The one address of a parsed header. */
const only = (header: AddressObject | AddressObject[] | undefined) => {
  const [value] = [header].flat();
  return value?.value.map(({ name, address }) => ({ name, address }));
};

async function sentMail(email: string) {
  return simpleParser((await t.smtp.mailTo(email)).raw);
}

describe('a message’s sender in the API', () => {
  it('tells which From addresses a message may have', async () => {
    const owner = await t.createUser();
    const { messageSender } = ok(await t.gql('{ messageSender { address allowedDomains } }', {}, owner));
    expect(messageSender).toEqual({ address: 'news@mail.example.test', allowedDomains: ['letters.example.test', 'shop.example.test'] });
  });

  it('keeps a From name, an allowed From address and a Reply-To; empty puts the default back', async () => {
    const owner = await t.createUser();
    const input = { subject: 'S', body: 'B', fromName: `  ${TRICKY_NAMES[0]} `, fromAddress: 'Ann@Shop.Example.test', replyTo: 'ann@example.org' };
    const created = ok(await t.gql(CREATE, { input }, owner)).createMessage;
    expect(created).toMatchObject({ fromName: TRICKY_NAMES[0], fromAddress: 'Ann@Shop.Example.test', replyTo: 'ann@example.org' });
    const cleared = ok(await t.gql(UPDATE, { id: created.id, input: { fromName: '', fromAddress: '', replyTo: '' } }, owner)).updateMessage;
    expect(cleared).toMatchObject({ fromName: null, fromAddress: null, replyTo: null });
    const plain = ok(await t.gql(CREATE, { input: { subject: 'S', body: 'B' } }, owner)).createMessage;
    expect(plain).toMatchObject({ fromName: null, fromAddress: null, replyTo: null });
  });

  it('refuses a From address outside the allowed domains with a coded error, and changes nothing', async () => {
    const owner = await t.createUser();
    const created = ok(await t.gql(CREATE, { input: { subject: 'Before', body: 'B', fromAddress: 'a@letters.example.test' } }, owner)).createMessage;
    const before = await t.app.orm.em.fork().findOneOrFail(Message, created.id);

    for (const fromAddress of ['boss@bank.example', 'a@sub.letters.example.test', 'a@letters.example.test.evil.example']) {
      const res = await t.gql(UPDATE, { id: created.id, input: { subject: 'After', fromAddress } }, owner);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fromAddress' });
      expect(res.errors?.[0]?.message).toBe('From address must be at letters.example.test, shop.example.test, or empty for news@mail.example.test.');
    }
    const refusedCreate = await t.gql(CREATE, { input: { subject: 'New', body: 'B', fromAddress: 'boss@bank.example' } }, owner);
    expect(refusedCreate.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'fromAddress' });

    const em = t.app.orm.em.fork();
    expect(await em.findOneOrFail(Message, created.id)).toMatchObject({ subject: before.subject, fromAddress: before.fromAddress, updatedAt: before.updatedAt });
    expect(await em.count(Message, { owner: owner.user.id })).toBe(1);
  });

  it('refuses a Reply-To that is no email address, and a From name with a line break', async () => {
    const owner = await t.createUser();
    for (const [field, value] of [
      ['replyTo', 'not an address'],
      ['replyTo', 'a@b.example, c@d.example'],
      ['fromName', 'Ann\r\nBcc: all@example.com'],
    ] as const) {
      const res = await t.gql(CREATE, { input: { subject: 'S', body: 'B', [field]: value } }, owner);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('a message’s sender on the wire', () => {
  it('gives From and Reply-To headers that parse back to the names and addresses as written', async () => {
    const { user } = await t.createUser();
    const sent = [];
    for (const [i, fromName] of TRICKY_NAMES.entries()) {
      const sender = { fromName, fromAddress: `team${i}@letters.example.test`, replyTo: `reply${i}@example.org` };
      const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, sender });
      await t.app.scheduler.mailingSaved(mailingId);
      sent.push({ email: emails[0]!, sender, attempt: runClosed(t.app, mailingId) });
    }
    for (const { email, sender } of sent) {
      const mail = await sentMail(email);
      expect(only(mail.from)).toEqual([{ name: sender.fromName, address: sender.fromAddress }]);
      expect(only(mail.replyTo)).toEqual([{ name: sender.fromName, address: sender.replyTo }]);
      // One header line each, whatever the name: nothing of it leaks into other headers.
      expect(mail.headerLines.filter((h) => h.key === 'from' || h.key === 'reply-to')).toHaveLength(2);
    }
  });

  it('is, by default, from the owner’s name at the server’s address, with replies to the owner', async () => {
    const { user } = await t.createUser();
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1 });
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    const mail = await sentMail(emails[0]!);
    expect(only(mail.from)).toEqual([{ name: 'Test User', address: 'news@mail.example.test' }]);
    expect(only(mail.replyTo)).toEqual([{ name: 'Test User', address: user.email }]);
  });

  it('takes MAIL_FROM’s name when the owner has none', async () => {
    const { user } = await t.createUser();
    await t.app.orm.em.fork().nativeUpdate(User, { id: user.id }, { fullName: '' });
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1 });
    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    expect(only((await sentMail(emails[0]!)).from)).toEqual([{ name: 'News Service', address: 'news@mail.example.test' }]);
  });

  it('is the one the message and its owner had when the run opened', async () => {
    const { user } = await t.createUser();
    const sender = { fromName: 'Before', fromAddress: 'before@letters.example.test', replyTo: null };
    const { mailingId, emails } = await seedMailing(t.app, user, { count: 1, sender });
    await openAttempt(t.app.orm.em, mailingId, 'mail.example.test');
    const em = t.app.orm.em.fork();
    const { message } = await em.findOneOrFail(Mailing, mailingId);
    await em.nativeUpdate(Message, { id: message.id }, { fromName: 'After', fromAddress: null, replyTo: 'after@example.org' });
    await em.nativeUpdate(User, { id: user.id }, { email: `renamed-${user.email}` });

    await t.app.scheduler.mailingSaved(mailingId);
    await runClosed(t.app, mailingId);
    const mail = await sentMail(emails[0]!);
    expect(only(mail.from)).toEqual([{ name: 'Before', address: 'before@letters.example.test' }]);
    expect(only(mail.replyTo)).toEqual([{ name: 'Before', address: user.email }]);
  });
});
