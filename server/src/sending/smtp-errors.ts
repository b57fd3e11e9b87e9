/** What became of one message handed to the mail server. */
export type SendOutcome =
  | { kind: 'sent'; response: string }
  /** Refused for good (5xx): FAILED with the answer. */
  | { kind: 'rejected'; response: string }
  /** Not sent this time (4xx, timeout, no connection): retried later. `serverDown` feeds the circuit breaker. */
  | { kind: 'deferred'; response: string; serverDown: boolean }
  /** The connection was lost after the whole message went out: it may have arrived; never re-sent. */
  | { kind: 'uncertain'; response: string }
  /** Not tried at all: the breaker holds sending back while the server is down, or the attempt stopped. */
  | { kind: 'skipped' };

/** The fields of a nodemailer error that tell what went wrong. */
interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  permanent?: boolean;
  message?: string;
}

const CONNECTION_LOST = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT']);
/** Failures of the server or the way to it rather than of one message. */
const SERVER_DOWN = new Set([...CONNECTION_LOST, 'EDNS', 'ETLS', 'EAUTH', 'EPROTOCOL', 'ENOAUTH']);

/** Sorts a nodemailer error; `handedOver` says whether the whole message had been written to the server. */
export function classifySendError(error: unknown, handedOver: boolean): SendOutcome {
  const err = (error ?? {}) as SmtpError;
  const code = err.code ?? '';
  const response = err.response ?? [code, err.message].filter(Boolean).join(': ');
  if (err.responseCode && err.permanent) return { kind: 'rejected', response };
  if (!err.responseCode && handedOver && CONNECTION_LOST.has(code)) return { kind: 'uncertain', response };
  // The whole message went out and the answer to it has no reply code: the server may have taken it.
  if (!err.responseCode && handedOver && code === 'EMESSAGE') return { kind: 'uncertain', response: unreadable(response) };
  if (err.responseCode) return { kind: 'deferred', response, serverDown: err.responseCode === 421 };
  if (SERVER_DOWN.has(code)) return { kind: 'deferred', response, serverDown: true };
  // An address or message nodemailer itself refuses (EENVELOPE, EMESSAGE without an answer) will not improve.
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return { kind: 'rejected', response };
  return { kind: 'deferred', response, serverDown: false };
}

/** What the server answered to a message it was handed: a 2xx reply is sent, anything unreadable is uncertain. */
export function classifyAcceptance(response: string): SendOutcome {
  return /^2\d\d(?:[ -]|$)/.test(response) ? { kind: 'sent', response } : { kind: 'uncertain', response: unreadable(response) };
}

const unreadable = (response: string) => `Unreadable answer to the message: ${response.replace(/^EMESSAGE: Message failed: /, '')}`;

/** A failure that says the mail server (or the way to it) is down, not just this message's trouble. */
export function isServerDown(outcome: SendOutcome): boolean {
  return outcome.kind === 'deferred' && outcome.serverDown;
}
