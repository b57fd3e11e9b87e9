import { classifyAcceptance, classifySendError, isServerDown } from '../src/sending/smtp-errors';

/** An error shaped like nodemailer's for a server reply (it sets `permanent` for 5xx but 503). */
const reply = (code: string, response: string) => {
  const responseCode = Number(/^\d+/.exec(response)![0]);
  return Object.assign(new Error(`Message failed: ${response}`), {
    code,
    response,
    responseCode,
    permanent: responseCode >= 500 && responseCode < 600 && responseCode !== 503,
  });
};
const failure = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('classifySendError', () => {
  it.each([
    ['550 mailbox unavailable', 'EENVELOPE', '550 5.1.1 No such user'],
    ['554 transaction failed', 'EMESSAGE', '554 5.7.1 Rejected as spam'],
    ['552 too big', 'EMESSAGE', '552 5.3.4 Message too big'],
  ])('fails a %s at once, with the answer', (_what, code, response) => {
    expect(classifySendError(reply(code, response), false)).toEqual({ kind: 'rejected', response });
  });

  it('fails a 5xx for good even when the message had been written out', () => {
    expect(classifySendError(reply('EMESSAGE', '550 rejected after data'), true)).toEqual({
      kind: 'rejected',
      response: '550 rejected after data',
    });
  });

  it.each(['450 4.2.1 Mailbox busy', '451 4.3.0 Local error', '452 4.5.3 Too many recipients'])(
    'retries %s later without blaming the server',
    (response) => {
      expect(classifySendError(reply('EENVELOPE', response), false)).toEqual({ kind: 'deferred', response, serverDown: false });
    },
  );

  it('retries a 421 later and counts it against the server (it is closing the connection)', () => {
    const response = '421 4.7.0 Try again later, closing connection';
    expect(classifySendError(reply('EENVELOPE', response), false)).toEqual({ kind: 'deferred', response, serverDown: true });
  });

  it('retries a 421 that came after the message was written out: the server answered, so it did not take it', () => {
    const response = '421 4.3.2 Shutting down';
    expect(classifySendError(reply('EMESSAGE', response), true)).toEqual({ kind: 'deferred', response, serverDown: true });
  });

  it('retries a 503 (bad sequence of commands: the session, not the message) without blaming the server', () => {
    const response = '503 5.5.1 Bad sequence of commands';
    expect(classifySendError(reply('EENVELOPE', response), false)).toEqual({ kind: 'deferred', response, serverDown: false });
  });

  it('retries an unexpected positive reply (e.g. 354 where 250 was due)', () => {
    const response = '354 go ahead';
    expect(classifySendError(reply('EPROTOCOL', response), true)).toEqual({ kind: 'deferred', response, serverDown: false });
  });

  it.each(['EAUTH', 'ETLS', 'EDNS', 'EPROTOCOL', 'ENOAUTH'])('retries %s later and counts it against the server', (code) => {
    expect(classifySendError(failure(code, 'it went wrong'), false)).toEqual({
      kind: 'deferred',
      response: `${code}: it went wrong`,
      serverDown: true,
    });
  });

  it.each(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET'])('retries a %s before the message was written out, blaming the server', (code) => {
    expect(classifySendError(failure(code, 'connection lost'), false)).toEqual({
      kind: 'deferred',
      response: `${code}: connection lost`,
      serverDown: true,
    });
  });

  it.each(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET'])('marks a %s after the message was written out UNCERTAIN, never re-sent', (code) => {
    expect(classifySendError(failure(code, 'connection lost'), true)).toEqual({ kind: 'uncertain', response: `${code}: connection lost` });
  });

  it('does not call a server-down failure after hand-over uncertain unless the connection was lost', () => {
    expect(classifySendError(failure('ETLS', 'bad certificate'), true)).toEqual({
      kind: 'deferred',
      response: 'ETLS: bad certificate',
      serverDown: true,
    });
  });

  it.each(['EENVELOPE', 'EMESSAGE'])('fails a %s that nodemailer raised itself (no server answer) at once', (code) => {
    expect(classifySendError(failure(code, 'No recipients defined'), false)).toEqual({
      kind: 'rejected',
      response: `${code}: No recipients defined`,
    });
  });

  it('retries an error it does not know, without blaming the server', () => {
    expect(classifySendError(failure('EWHATEVER', 'odd'), false)).toEqual({ kind: 'deferred', response: 'EWHATEVER: odd', serverDown: false });
    expect(classifySendError(new Error('no code at all'), false)).toEqual({ kind: 'deferred', response: 'no code at all', serverDown: false });
  });

  it('copes with garbage thrown instead of an error', () => {
    expect(classifySendError(undefined, false)).toEqual({ kind: 'deferred', response: '', serverDown: false });
    expect(classifySendError(null, true)).toEqual({ kind: 'deferred', response: '', serverDown: false });
    expect(classifySendError({ code: 'ESOCKET' }, true)).toEqual({ kind: 'uncertain', response: 'ESOCKET' });
  });

  it('keeps the server’s own words when there are some', () => {
    const garbled = Object.assign(new Error('Invalid greeting'), { code: 'EPROTOCOL', response: 'HTTP/1.1 400 Bad Request' });
    expect(classifySendError(garbled, false)).toEqual({ kind: 'deferred', response: 'HTTP/1.1 400 Bad Request', serverDown: true });
  });
});

describe('unreadable answers to a message that went out', () => {
  it('calls an answer without a reply code uncertain: the server may have taken the message', () => {
    const garbled = Object.assign(new Error('Message failed: hello there'), { code: 'EMESSAGE', response: 'hello there' });
    expect(classifySendError(garbled, true)).toEqual({ kind: 'uncertain', response: 'Unreadable answer to the message: hello there' });
  });

  it('still rejects a message nodemailer refused itself before sending it', () => {
    const refused = Object.assign(new Error('Message failed: bad header'), { code: 'EMESSAGE' });
    expect(classifySendError(refused, false)).toMatchObject({ kind: 'rejected' });
  });
});

describe('classifyAcceptance', () => {
  it.each(['250 2.0.0 Ok: queued as 12345', '250', '250-first line\n250 last line'])('counts %j as sent', (response) => {
    expect(classifyAcceptance(response)).toEqual({ kind: 'sent', response });
  });

  it.each(['2x0 what?', '2', '25 ok', '2500 queued', ''])('counts %j as uncertain', (response) => {
    expect(classifyAcceptance(response)).toEqual({ kind: 'uncertain', response: `Unreadable answer to the message: ${response}` });
  });
});

describe('isServerDown', () => {
  it('is true only for deferrals that blame the server', () => {
    expect(isServerDown({ kind: 'deferred', response: '421', serverDown: true })).toBe(true);
    expect(isServerDown({ kind: 'deferred', response: '450', serverDown: false })).toBe(false);
    expect(isServerDown({ kind: 'rejected', response: '550' })).toBe(false);
    expect(isServerDown({ kind: 'uncertain', response: 'ECONNECTION' })).toBe(false);
    expect(isServerDown({ kind: 'sent', response: '250' })).toBe(false);
    expect(isServerDown({ kind: 'skipped' })).toBe(false);
  });
});
