import { Client } from 'pg';
import { benchAccount } from './bench-server';

export interface ReadSeedOptions {
  /** Mailings of the owner (default 60). */
  mailings?: number;
  /** Recipients of most mailings (default 1,000). */
  recipientsPerMailing?: number;
  /** How many of the mailings go to `largeRecipients` (default 5). */
  largeMailings?: number;
  /** Recipients of a large mailing, and the owner's recipients in all (default 20,000). */
  largeRecipients?: number;
  /** Deliveries of the finished attempt of the newest large mailing (default 20,000). */
  deliveries?: number;
}

export interface ReadSeed {
  userId: string;
  /** Bearer token of a live session of the owner. */
  token: string;
  mailingIds: string[];
  /** The attempt with `deliveries` deliveries. */
  attemptId: string;
}

/**
 * One verified user with a web UI's worth of data, written in SQL into a migrated
 * database (start the server on it first): `largeRecipients` recipients, one message,
 * `mailings` mailings of `recipientsPerMailing` recipients each (the newest `largeMailings`
 * to all `largeRecipients`), and a finished attempt with `deliveries` deliveries.
 * Mailings are CREATED with a start a day ahead, RUNNING or FINISHED, with no job planned:
 * nothing gets sent.
 */
export async function seedReadData(databaseUrl: string, options: ReadSeedOptions = {}): Promise<ReadSeed> {
  const mailings = options.mailings ?? 60;
  const perMailing = options.recipientsPerMailing ?? 1000;
  const large = options.largeMailings ?? 5;
  const allRecipients = options.largeRecipients ?? 20_000;
  const deliveries = options.deliveries ?? 20_000;
  const { id: userId, token } = await benchAccount(databaseUrl, 'reader@bench.test');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into recipients (id, email, full_name, owner_id)
       select gen_random_uuid(), 'r' || i || '@bench.test', 'Recipient ' || i, $1 from generate_series(1, $2::int) i`,
      [userId, allRecipients],
    );
    const { rows: messages } = await client.query<{ id: string }>(
      `insert into messages (id, subject, body, owner_id) values (gen_random_uuid(), 'Bench news', 'Hello, this is the bench.', $1) returning id`,
      [userId],
    );
    // Oldest first, so the large mailings (the last ones) are the newest: on the first page.
    const { rows: created } = await client.query<{ id: string }>(
      `insert into mailings (id, created_at, start_at, end_at, status, message_id, owner_id)
       select gen_random_uuid(), now() - make_interval(mins => $3::int - i),
              case i % 3 when 0 then now() + interval '1 day' else now() - interval '1 day' end,
              case i % 3 when 2 then now() - interval '1 hour' else now() + interval '2 days' end,
              (case i % 3 when 0 then 'CREATED' when 1 then 'RUNNING' else 'FINISHED' end)::mailing_status,
              $1, $2
         from generate_series(1, $3::int) i
        order by i
       returning id`,
      [messages[0].id, userId, mailings],
    );
    const mailingIds = created.map((row) => row.id);
    for (const [index, mailingId] of mailingIds.entries()) {
      const count = index >= mailingIds.length - large ? allRecipients : Math.min(perMailing, allRecipients);
      // Mailings of the same size get different recipients (a window that moves along).
      await client.query(
        `insert into mailing_recipients (mailing_id, recipient_id)
         select $1, id from recipients where owner_id = $2 order by email offset $3 limit $4`,
        [mailingId, userId, (index * perMailing) % Math.max(1, allRecipients - count + 1), count],
      );
    }
    const newest = mailingIds.at(-1)!;
    await client.query(`update mailings set status = 'FINISHED', start_at = now() - interval '2 days', end_at = now() - interval '1 hour' where id = $1`, [
      newest,
    ]);
    const { rows: attempts } = await client.query<{ id: string }>(
      `insert into attempts (id, mailing_id, attempted_at, finished_at, status, total)
       values (gen_random_uuid(), $1, now() - interval '1 day', now() - interval '23 hours', 'SUCCESS', $2) returning id`,
      [newest, deliveries],
    );
    const attemptId = attempts[0].id;
    // Mostly sent, some failed, uncertain and skipped, as a finished run looks.
    await client.query(
      `insert into deliveries (id, attempt_id, recipient_id, email, full_name, status, tries, response, sent_at)
       select gen_random_uuid(), $1, r.id, r.email, r.full_name, s.status::delivery_status, 1,
              case s.status when 'SENT' then '250 OK' when 'FAILED' then '550 no such user' else null end,
              case s.status when 'SENT' then now() - interval '23 hours' end
         from (select id, email, full_name, row_number() over (order by email) n
                 from recipients where owner_id = $2 order by email limit $3) r
         cross join lateral (select case when r.n % 50 = 0 then 'FAILED' when r.n % 97 = 0 then 'UNCERTAIN'
                                         when r.n % 101 = 0 then 'SKIPPED' else 'SENT' end as status) s`,
      [attemptId, userId, deliveries],
    );
    await client.query(
      `update attempts a set sent_count = c.sent, failed_count = c.failed, uncertain_count = c.uncertain, skipped_count = c.skipped
         from (select count(*) filter (where status = 'SENT')::int sent, count(*) filter (where status = 'FAILED')::int failed,
                      count(*) filter (where status = 'UNCERTAIN')::int uncertain, count(*) filter (where status = 'SKIPPED')::int skipped
                 from deliveries where attempt_id = $1) c
        where a.id = $1`,
      [attemptId],
    );
    await client.query('commit');
    await client.query('analyze');
    return { userId, token, mailingIds, attemptId };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
