import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword, passwordMatches } from '../users/passwords';
import { Mailing } from '../mailings/mailing.entity';
import { Message, type MessageFormat } from '../messages/message.entity';
import { Recipient } from '../recipients/recipient.entity';
import { Attempt, AttemptStatus } from '../sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../sending/delivery.entity';
import { User } from '../users/user.entity';
import { fixtureTime, type Fixture, type FixtureAttempt, type FixtureMailing, type FixtureUser } from './fixture-schema';

export interface LoadedFixture {
  /** Every mailing of the fixture, to plan the ones that are not finished. */
  mailings: Mailing[];
}

/**
 * Upserts a fixture by natural keys (user email; recipient owner+email; message owner+subject;
 * mailing by its fixture key, attempts by their place in it), so loading twice adds nothing.
 */
export async function loadFixture(em: EntityManager, fixture: Fixture, now = new Date()): Promise<LoadedFixture> {
  const mailings: Mailing[] = [];
  for (const data of fixture.users) {
    const user = await upsertUser(em, data);
    const recipients = await upsertRecipients(em, user, data);
    const messages = await upsertMessages(em, user, data);
    for (const m of data.mailings) {
      const mailing = await upsertMailing(em, user, m, messages, recipients, now);
      for (const [index, a] of m.attempts.entries()) await upsertAttempt(em, mailing, m.key, index, a, recipients, now);
      mailings.push(mailing);
    }
  }
  await em.flush();
  return { mailings };
}

/** A stable UUID for a fixture key, so the same key always names the same row. */
export function fixtureId(key: string): string {
  const hex = createHash('sha256').update(`mailing-service-fixture:${key}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

async function upsertUser(em: EntityManager, data: FixtureUser): Promise<User> {
  const existing = await em.findOne(User, { email: data.email }, { populate: ['passwordHash'] });
  const user = existing ?? em.create(User, { email: data.email, passwordHash: await hashPassword(data.password) });
  if (existing && !(await passwordMatches(existing.passwordHash, data.password))) {
    user.passwordHash = await hashPassword(data.password);
  }
  em.assign(user, {
    fullName: data.fullName,
    role: data.role,
    phone: data.phone,
    country: data.country,
    blocked: false,
    emailVerifiedAt: user.emailVerifiedAt ?? new Date(),
  });
  return user;
}

async function upsertRecipients(em: EntityManager, owner: User, data: FixtureUser): Promise<Map<string, Recipient>> {
  const existing = await em.find(Recipient, { owner, email: { $in: data.recipients.map((r) => r.email) } });
  const byEmail = new Map(existing.map((r) => [r.email, r]));
  for (const r of data.recipients) {
    const recipient = byEmail.get(r.email) ?? em.create(Recipient, { email: r.email, owner });
    em.assign(recipient, { fullName: r.fullName, comment: r.comment });
    byEmail.set(r.email, recipient);
  }
  return byEmail;
}

async function upsertMessages(em: EntityManager, owner: User, data: FixtureUser): Promise<Map<string, Message>> {
  const existing = await em.find(Message, { owner, subject: { $in: data.messages.map((m) => m.subject) } });
  const bySubject = new Map(existing.map((m) => [m.subject, m]));
  for (const m of data.messages) {
    const message = bySubject.get(m.subject) ?? em.create(Message, { subject: m.subject, body: m.body, owner });
    message.body = m.body;
    message.format = m.format as MessageFormat;
    bySubject.set(m.subject, message);
  }
  return bySubject;
}

async function upsertMailing(
  em: EntityManager,
  owner: User,
  data: FixtureMailing,
  messages: Map<string, Message>,
  recipients: Map<string, Recipient>,
  now: Date,
): Promise<Mailing> {
  const id = fixtureId(`mailing:${data.key}`);
  const fields = {
    startAt: fixtureTime(data.startAt, now),
    endAt: fixtureTime(data.endAt, now),
    status: data.status,
    disabled: data.disabled,
    message: messages.get(data.message)!,
    owner,
  };
  const existing = await em.findOne(Mailing, { id }, { populate: ['recipients'] });
  const mailing = existing ? em.assign(existing, fields) : em.create(Mailing, { id, ...fields });
  mailing.recipients.set(data.recipients.map((email) => recipients.get(email)!));
  return mailing;
}

async function upsertAttempt(
  em: EntityManager,
  mailing: Mailing,
  mailingKey: string,
  index: number,
  data: FixtureAttempt,
  recipients: Map<string, Recipient>,
  now: Date,
): Promise<void> {
  const id = fixtureId(`attempt:${mailingKey}:${index}`);
  const attemptedAt = fixtureTime(data.at, now);
  const count = (status: DeliveryStatus) => data.deliveries.filter((d) => d.status === status).length;
  const sentCount = count(DeliveryStatus.SENT);
  const skippedCount = count(DeliveryStatus.SKIPPED);
  const fields = {
    mailing,
    attemptedAt,
    finishedAt: new Date(attemptedAt.getTime() + 60_000 * data.deliveries.length),
    status: sentCount + skippedCount === data.deliveries.length ? AttemptStatus.SUCCESS : AttemptStatus.FAILURE,
    serverResponse: data.serverResponse ?? data.deliveries.at(-1)?.response ?? null,
    total: data.deliveries.length,
    sentCount,
    failedCount: count(DeliveryStatus.FAILED),
    uncertainCount: count(DeliveryStatus.UNCERTAIN),
    skippedCount,
  };
  const existing = await em.findOne(Attempt, { id });
  const attempt = existing ? em.assign(existing, fields) : em.create(Attempt, { id, ...fields });
  const deliveries = existing ? await em.find(Delivery, { attempt }) : [];
  const byRecipient = new Map(deliveries.map((d) => [d.recipient?.id, d]));
  for (const [position, d] of data.deliveries.entries()) {
    const recipient = recipients.get(d.recipient)!;
    const delivery = byRecipient.get(recipient.id) ?? em.create(Delivery, { attempt, recipient, email: recipient.email });
    const sentAt = new Date(attemptedAt.getTime() + 1000 * (position + 1));
    em.assign(delivery, {
      email: recipient.email,
      fullName: recipient.fullName,
      status: d.status,
      tries: d.tries,
      response: d.response ?? null,
      nextTryAt: sentAt,
      sentAt: d.status === DeliveryStatus.SENT ? sentAt : null,
      messageId: d.status === DeliveryStatus.SENT ? `<${fixtureId(`delivery:${mailingKey}:${index}:${d.recipient}`)}@demo.example.com>` : null,
    });
  }
}
