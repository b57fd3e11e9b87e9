import type { App } from '../src/app';
import { Mailing, MailingStatus } from '../src/mailings/mailing.entity';
import { Message, MessageFormat } from '../src/messages/message.entity';
import { Recipient } from '../src/recipients/recipient.entity';
import { Attempt, isOpenAttempt } from '../src/sending/attempt.entity';
import type { DeliveryStatus } from '../src/sending/delivery.entity';
import type { User } from '../src/users/user.entity';
import { waitUntil } from './wait-until';

/**
 * Test settings that make retries quick. Timeouts are long: a test that wants one makes the
 * server hang (and sets SMTP_SOCKET_TIMEOUT_MS short) rather than be slow.
 */
export const FAST_SENDING = {
  SMTP_POOL_SIZE: '2',
  SMTP_CONNECTION_TIMEOUT_MS: '10000',
  SMTP_GREETING_TIMEOUT_MS: '10000',
  SMTP_SOCKET_TIMEOUT_MS: '30000',
  SEND_RATE_PER_SECOND: '1000',
  SEND_BATCH_SIZE: '10',
  SEND_MAX_RETRIES: '3',
  SEND_RETRY_BASE_MS: '100',
  SEND_RETRY_MAX_MS: '400',
  SEND_BREAKER_THRESHOLD: '3',
  SEND_BREAKER_HALF_OPEN_MS: '300',
  JOB_LOCK_LIFETIME_MS: '3000',
  JOB_PROCESS_EVERY_MS: '100',
};

export interface SeededMailing {
  mailingId: string;
  emails: string[];
}

let seq = 0;

/** A mailing with its message and recipients, written through the ORM. */
export async function seedMailing(
  app: App,
  owner: User,
  opts: { count?: number; emails?: string[]; fullNames?: string[]; subject?: string; body?: string; format?: MessageFormat; sender?: Pick<Message, 'fromName' | 'fromAddress' | 'replyTo'>; startAt?: Date; endAt?: Date; disabled?: boolean } = {},
): Promise<SeededMailing> {
  const em = app.orm.em.fork();
  const batch = ++seq;
  const emails = opts.emails ?? Array.from({ length: opts.count ?? 3 }, (_, i) => `m${batch}-r${i}@example.test`);
  const message = em.create(Message, {
    subject: opts.subject ?? 'Hello {{fullName}}',
    body: opts.body ?? 'Dear {{fullName}}, this goes to {{email}}.',
    format: opts.format ?? MessageFormat.TEXT,
    ...opts.sender,
    owner,
  });
  const recipients = emails.map((email, i) => em.create(Recipient, { email, fullName: opts.fullNames?.[i] ?? `Reader ${i}`, owner }));
  const startAt = opts.startAt ?? new Date(Date.now() - 60_000);
  const mailing = em.create(Mailing, {
    startAt,
    endAt: opts.endAt ?? new Date(Math.max(startAt.getTime(), Date.now()) + 3_600_000),
    disabled: opts.disabled ?? false,
    message,
    owner,
  });
  mailing.recipients.set(recipients);
  await em.flush();
  return { mailingId: mailing.id, emails };
}

export interface DeliveryRow {
  email: string;
  status: DeliveryStatus;
  tries: number;
  response: string | null;
  messageId: string;
  attemptId: string;
  /** Marked handed to the mail server (set until the next claim). */
  handedOver: boolean;
  mayHaveArrivedTwice: boolean;
}

export async function deliveriesOf(app: App, mailingId: string): Promise<DeliveryRow[]> {
  return app.orm.em.fork().execute<DeliveryRow[]>(
    `select d.email, d.status, d.tries, d.response, d.message_id as "messageId", d.attempt_id as "attemptId",
            d.handed_over_at is not null as "handedOver", d.may_have_arrived_twice as "mayHaveArrivedTwice"
     from deliveries d join attempts a on a.id = d.attempt_id where a.mailing_id = ? order by d.email`,
    [mailingId],
  );
}

export async function attemptsOf(app: App, mailingId: string): Promise<Attempt[]> {
  return app.orm.em.fork().find(Attempt, { mailing: mailingId }, { orderBy: { attemptedAt: 'asc' } });
}

export async function mailingStatus(app: App, mailingId: string): Promise<MailingStatus | undefined> {
  return (await app.orm.em.fork().findOne(Mailing, mailingId))?.status;
}

/** Resolves once the mailing's latest run has closed; returns it. */
export function runClosed(app: App, mailingId: string, timeoutMs?: number): Promise<Attempt> {
  return waitUntil(
    'the run to close',
    async () => {
      const attempts = await attemptsOf(app, mailingId);
      const last = attempts.at(-1);
      return last && !isOpenAttempt(last.status) ? last : undefined;
    },
    timeoutMs,
  );
}
