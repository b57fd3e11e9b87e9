import { z } from 'zod';
import { Role } from '../common/actor';
import { normalizeEmail } from '../common/email';
import { MailingStatus } from '../mailings/mailing.entity';
import { countryRule, emailRule, fullNameRule, messageRules, passwordRule, phoneRule, recipientRules } from '../rules';
import { DeliveryStatus } from '../sending/delivery.entity';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "now", "-3d", "+2h", "-30m" (relative to `now`) or an ISO date-time. */
export function fixtureTime(value: string, now: Date): Date {
  if (value === 'now') return new Date(now);
  const relative = /^([+-]\d+)([mhd])$/.exec(value);
  if (relative) return new Date(now.getTime() + Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]);
  return new Date(value);
}

const time = z
  .string()
  .refine((v) => !Number.isNaN(fixtureTime(v, new Date()).getTime()), 'Use "now", "-3d", "+2h", "-30m" or an ISO date-time.');
/** Emails as the app stores them (the fixture is loaded through the ORM, not the API). */
const email = emailRule.transform(normalizeEmail);

const delivery = z.object({
  recipient: email,
  status: z.enum([DeliveryStatus.SENT, DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN]),
  tries: z.number().int().min(1).default(1),
  response: z.string().optional(),
});

const attempt = z.object({
  at: time,
  serverResponse: z.string().optional(),
  deliveries: z.array(delivery).min(1),
});

const mailing = z.object({
  key: z.string().regex(/^[a-z0-9-]+$/, 'Lowercase letters, digits and dashes.'),
  message: z.string().min(1).describe('The subject of one of the owner’s messages.'),
  recipients: z.array(email).min(1),
  startAt: time,
  endAt: time,
  status: z.enum(MailingStatus),
  disabled: z.boolean().default(false),
  attempts: z.array(attempt).default([]),
});

const user = z.object({
  email,
  password: passwordRule,
  fullName: fullNameRule.default(''),
  role: z.enum(Role).default(Role.USER),
  phone: phoneRule.default(''),
  country: countryRule.default(''),
  recipients: z
    .array(recipientRules.extend({ email, fullName: recipientRules.shape.fullName.default(''), comment: recipientRules.shape.comment.default('') }))
    .default([]),
  messages: z.array(messageRules.extend({ format: messageRules.shape.format.default('TEXT') })).default([]),
  mailings: z.array(mailing).default([]),
});

export const fixtureSchema = z.object({ users: z.array(user).min(1) }).superRefine((fixture, ctx) => {
  const keys = new Set<string>();
  fixture.users.forEach((u, ui) => {
    const recipients = new Set(u.recipients.map((r) => r.email));
    const subjects = new Set(u.messages.map((m) => m.subject));
    u.mailings.forEach((m, mi) => {
      const at = (...rest: Array<string | number>) => ['users', ui, 'mailings', mi, ...rest];
      if (keys.has(m.key)) ctx.addIssue({ code: 'custom', path: at('key'), message: `Mailing key "${m.key}" is used twice.` });
      keys.add(m.key);
      if (!subjects.has(m.message)) ctx.addIssue({ code: 'custom', path: at('message'), message: `${u.email} has no message "${m.message}".` });
      for (const r of m.recipients) {
        if (!recipients.has(r)) ctx.addIssue({ code: 'custom', path: at('recipients'), message: `${u.email} has no recipient ${r}.` });
      }
      m.attempts.forEach((a, ai) =>
        a.deliveries.forEach((d, di) => {
          if (!m.recipients.includes(d.recipient)) {
            ctx.addIssue({ code: 'custom', path: at('attempts', ai, 'deliveries', di), message: `${d.recipient} is not a recipient of ${m.key}.` });
          }
        }),
      );
    });
  });
});

export type Fixture = z.infer<typeof fixtureSchema>;
export type FixtureUser = Fixture['users'][number];
export type FixtureMailing = FixtureUser['mailings'][number];
export type FixtureAttempt = FixtureMailing['attempts'][number];
