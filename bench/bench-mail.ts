import nodemailer from 'nodemailer';
import { Client } from 'pg';
import { unsubscribeHeaders, unsubscribeLinks } from '../server/src/unsubscribe/unsubscribe-links';
import { BENCH_SECRET } from './bench-db';

/** SMTP connections of the engine (SMTP_POOL_SIZE) and of the bare loop; both keep twice as many sends in flight. */
export const POOL_SIZE = 5;
export const SUBJECT = 'Our news for {{fullName}}';
/** About 5 KB, like the figures in DESIGN.md. */
export const BODY = `Dear {{fullName}},\n\n${'All the news that fits in a mailing, line after line. '.repeat(90)}\n\nSent to {{email}}.`;

const BARE_OWNER = '00000000-0000-4000-8000-000000000000';
const bareUnsubscribeLinks = unsubscribeLinks({ APP_URL: 'http://localhost:4000', UNSUBSCRIBE_SECRET: BENCH_SECRET, UNSUBSCRIBE_MAILTO: undefined });

/** The same messages as the engine's through a bare nodemailer pool, as many in flight as the engine keeps. */
export async function bareLoop(smtpUrl: string, count: number): Promise<{ seconds: number }> {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: POOL_SIZE, maxMessages: 1000 } as object);
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const name = `Reader ${i}`;
      const email = `reader${i}@bench.test`;
      await transport.sendMail({
        from: 'Mailing service <no-reply@localhost>',
        to: { name, address: email },
        subject: SUBJECT.replace('{{fullName}}', name),
        text: BODY.replace('{{fullName}}', name).replace('{{email}}', email),
        messageId: `<bare-${i}@localhost>`,
        // What every mailing message carries, signed per recipient as the engine does (RFC 8058).
        ...unsubscribeHeaders(bareUnsubscribeLinks({ ownerId: BARE_OWNER, recipientId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` })),
      });
    }
  };
  await Promise.all(Array.from({ length: POOL_SIZE * 2 }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  transport.close();
  return { seconds };
}

/** Set-based SQL seeding on a bench database: an owner's recipients, a message and mailings, none of it through the API. */
export async function seeder(databaseUrl: string) {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  return {
    async owner(tag: string): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `insert into users (id, email, password_hash, full_name, email_verified_at) values (gen_random_uuid(), $1, 'x', 'Bench', now()) returning id`,
        [`bench-${tag}@bench.test`],
      );
      return rows[0].id;
    },
    async recipients(ownerId: string, count: number, tag: string): Promise<void> {
      await db.query(
        `insert into recipients (id, email, full_name, owner_id)
         select gen_random_uuid(), 'reader' || g || '-' || $3 || '@bench.test', 'Reader ' || g, $1 from generate_series(1, $2) g`,
        [ownerId, count, tag],
      );
    },
    async message(ownerId: string, subject = SUBJECT, body = BODY): Promise<string> {
      const { rows } = await db.query<{ id: string }>(`insert into messages (id, subject, body, owner_id) values (gen_random_uuid(), $1, $2, $3) returning id`, [
        subject,
        body,
        ownerId,
      ]);
      return rows[0].id;
    },
    /** A mailing starting tomorrow to the owner's first `count` recipients (by email). */
    async mailing(ownerId: string, messageId: string, count: number): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `insert into mailings (id, start_at, end_at, message_id, owner_id)
         values (gen_random_uuid(), now() + interval '1 day', now() + interval '2 days', $1, $2) returning id`,
        [messageId, ownerId],
      );
      await db.query(
        `insert into mailing_recipients (mailing_id, recipient_id) select $1, id from recipients where owner_id = $2 order by email limit $3`,
        [rows[0].id, ownerId, count],
      );
      return rows[0].id;
    },
    /** Fresh statistics, and the seeding's writes flushed now rather than by a checkpoint during the first measured round. */
    async analyze(): Promise<void> {
      await db.query('analyze');
      await db.query('checkpoint');
    },
    close: () => db.end(),
  };
}
