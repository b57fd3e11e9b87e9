import MailComposer from 'nodemailer/lib/mail-composer';
import { fillPlaceholders as personalize } from '../src/rules/messages';
import { MessageFormat } from '../src/messages/message.entity';
import { composeMessage, personalizeHeader, textEncodingOf } from '../src/sending/personalize';

const ann = { email: 'ann@example.com', fullName: 'Ann Smith' };

describe('personalize', () => {
  it('fills {{fullName}} and {{email}} in, every time they appear', () => {
    expect(personalize('Dear {{fullName}}, this goes to {{email}}. Bye {{fullName}}!', ann)).toBe(
      'Dear Ann Smith, this goes to ann@example.com. Bye Ann Smith!',
    );
  });

  it('accepts spaces inside the braces', () => {
    expect(personalize('Hi {{ fullName }} <{{email  }}>', ann)).toBe('Hi Ann Smith <ann@example.com>');
  });

  it('leaves unknown placeholders and other braces as written', () => {
    expect(personalize('{{firstName}} {{ FULLNAME }} {fullName} {{{email}}} {{}}', ann)).toBe(
      '{{firstName}} {{ FULLNAME }} {fullName} {ann@example.com} {{}}',
    );
  });

  it('fills a missing value in as nothing', () => {
    expect(personalize('Dear {{fullName}},', { email: 'x@example.com', fullName: '' })).toBe('Dear ,');
  });

  it('does not read placeholders inside the values it fills in', () => {
    expect(personalize('Hi {{fullName}}', { email: 'x@example.com', fullName: '{{email}} $& $1' })).toBe('Hi {{email}} $& $1');
  });

  it('escapes the values it fills into HTML, and only those', () => {
    const values = { email: 'a&b@example.com', fullName: `<i>O'Brien</i> "Al"` };
    expect(personalize('<p title="{{fullName}}">{{fullName}} &amp; {{email}}</p>', values, 'HTML')).toBe(
      '<p title="&lt;i&gt;O&#39;Brien&lt;/i&gt; &quot;Al&quot;">&lt;i&gt;O&#39;Brien&lt;/i&gt; &quot;Al&quot; &amp; a&amp;b@example.com</p>',
    );
    expect(personalize('{{fullName}}', values, 'TEXT')).toBe(`<i>O'Brien</i> "Al"`);
  });

  it('leaves text without placeholders alone', () => {
    expect(personalize('', ann)).toBe('');
    expect(personalize('Plain text', ann)).toBe('Plain text');
  });
});

describe('personalizeHeader', () => {
  it('keeps a header on one line whatever the name holds', () => {
    expect(personalizeHeader('News for {{fullName}}', { ...ann, fullName: 'Ann\r\nBcc: all@example.com' })).toBe(
      'News for Ann Bcc: all@example.com',
    );
  });
});

const server = { name: 'Sender', address: 'news@example.com', allowedDomains: ['letters.example.com'] };
const noSender = { fromName: '', fromAddress: null, replyTo: '' };

describe('composeMessage', () => {
  it('builds the message one recipient gets', () => {
    const content = { subject: 'Hello {{fullName}}', body: 'Sent to {{email}}.\nLine two.', format: MessageFormat.TEXT, ...noSender };
    expect(composeMessage(content, { ...ann, id: 'd1d1-d1', messageId: '<d1@example.com>' }, server)).toEqual({
      from: { name: 'Sender', address: 'news@example.com' },
      to: { name: 'Ann Smith', address: 'ann@example.com' },
      subject: 'Hello Ann Smith',
      text: 'Sent to ann@example.com.\nLine two.',
      messageId: '<d1@example.com>',
      boundaryId: 'd1d1d1',
      textEncoding: 'quoted-printable',
    });
  });

  it('gives an HTML message its text part, made from the filled-in HTML', () => {
    const content = { subject: 'Hi', body: '<h2>Dear {{fullName}}</h2><p>See <a href="https://x.example/{{email}}">this</a></p>', format: MessageFormat.HTML, ...noSender };
    const message = composeMessage(content, { ...ann, fullName: 'Ann <3', id: 'd1', messageId: '<d1@example.com>' }, server);
    expect(message.html).toBe('<h2>Dear Ann &lt;3</h2><p>See <a href="https://x.example/ann@example.com">this</a></p>');
    expect(message.text).toBe('Dear Ann <3\n\nSee this [https://x.example/ann@example.com]');
  });

  it('is from the attempt’s name and own address, with its Reply-To; the server’s for what it leaves out or no longer allows', () => {
    const base = { subject: 's', body: 'b', format: MessageFormat.TEXT };
    const own = { ...base, fromName: 'Ann, "the" Boss', fromAddress: 'ann@letters.example.com', replyTo: 'ann@example.org' };
    expect(composeMessage(own, { ...ann, id: 'd', messageId: '<d@x>' }, server)).toMatchObject({
      from: { name: 'Ann, "the" Boss', address: 'ann@letters.example.com' },
      replyTo: { name: 'Ann, "the" Boss', address: 'ann@example.org' },
    });
    const noLongerAllowed = composeMessage(own, { ...ann, id: 'd', messageId: '<d@x>' }, { ...server, allowedDomains: [] });
    expect(noLongerAllowed.from).toEqual({ name: 'Ann, "the" Boss', address: 'news@example.com' });
    const defaults = composeMessage({ ...base, ...noSender }, { ...ann, id: 'd', messageId: '<d@x>' }, server);
    expect(defaults.from).toEqual({ name: 'Sender', address: 'news@example.com' });
    expect(defaults).not.toHaveProperty('replyTo');
  });
});

describe('textEncodingOf', () => {
  it('encodes mostly Latin text as quoted-printable and mostly other text as base64, as nodemailer chooses', () => {
    expect(textEncodingOf('Dear reader, the news.')).toBe('quoted-printable');
    expect(textEncodingOf('Уважаемый читатель, новости (news).')).toBe('base64');
    expect(textEncodingOf('ab\u0001\u0002\u0003')).toBe('base64');
    expect(textEncodingOf('a\tb\r\nc')).toBe('quoted-printable');
  });

  it('chooses what nodemailer chooses for the same body', async () => {
    const bodies = ['Dear reader, the news.', 'Уважаемый читатель, новости (news).', 'Письмо: Dear reader, the news of the week.', 'ab\u0001\u0002\u0003'];
    for (const body of bodies) {
      // A line longer than 76 characters, so that nodemailer encodes even plain ASCII.
      const text = `${body}\n${' '.repeat(80)}`;
      const raw = (await new MailComposer({ text }).compile().build()).toString();
      expect(raw).toContain(`Content-Transfer-Encoding: ${textEncodingOf(text)}`);
    }
  });
});
