/**
 * API scale benchmark (not a test): `yarn bench:api`.
 *
 * Times what the web UI does with large data, through the real HTTP server:
 * 1. importRecipients: 100 calls of 1,000 rows (100,000 recipients), one after another.
 * 2. GET /export/recipients.csv of those 100,000 rows: time, size, and how much the
 *    process's RSS grows while streaming (sampled every 20 ms).
 * 3. For an owner with 100,000 recipients: createMailing with allRecipients, and sendMailingNow
 *    (the server in its API role: the request opens the run, a worker would send it), 3 calls
 *    each, beside what each request did before runs were prepared in the background (the
 *    audience's 100,000 rows written, the whole run opened in one statement), timed in-process.
 * 4. mailings(limit: 20) with 10,000 mailings, uncached (CACHE_TTL_SECONDS=0), as their
 *    owner and as a manager, with the plans of the list queries.
 * 5. deliveryDaily over 366 days with 50,000 finished deliveries spread over 60 days.
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); creates and drops a database of its own.
 */
import 'reflect-metadata';
import { createApp, type App } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createDatabase, BENCH_SECRET } from './bench-db';
import { benchAccount, graphqlClient } from './bench-server';
import { messageIdDomain, openAttempt } from '../server/src/sending/open-attempt';
import { median } from './stats';

const IMPORT_CALLS = 100;
const ROWS_PER_CALL = 1000;
const ALL_RECIPIENTS = 100_000;
const FINISHED_DELIVERIES = 50_000;
const CALLS = 3;
const MAILINGS = 10_000;
const LIST_REQUESTS = 30;

const account = (app: App, role: 'USER' | 'MANAGER', tag: string) => benchAccount(app.databaseUrl, `${tag}@bench.test`, role);

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;
const ms = (value: number) => `${(value * 1000).toFixed(0)} ms`;

async function main() {
  const db = await createDatabase();
  const app = await createApp(
    loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', DATABASE_URL: db.url, SMTP_URL: 'smtp://127.0.0.1:9', UNSUBSCRIBE_SECRET: BENCH_SECRET, SERVER_ROLE: 'api', CACHE_TTL_SECONDS: '0' }),
  );
  const url = await app.listen(0, '127.0.0.1');
  const gql = <T = Record<string, any>>(token: string, query: string, variables?: Record<string, unknown>) => graphqlClient(url, token)<T>(query, variables);
  const em = app.orm.em.fork();
  try {
    // 1. Import.
    const importer = await account(app, 'USER', 'importer');
    const IMPORT = `mutation($rows: [RecipientImportRow!]!) {
      importRecipients(rows: $rows) { imported updated skipped rows { index email outcome recipientId field reason } }
    }`;
    const callTimes: number[] = [];
    const importStart = process.hrtime.bigint();
    for (let call = 0; call < IMPORT_CALLS; call++) {
      const rows = Array.from({ length: ROWS_PER_CALL }, (_, i) => ({
        email: `person-${call}-${i}@example.com`,
        fullName: `Person ${call}-${i}`,
        comment: i % 10 === 0 ? 'Met at the fair, "VIP", likes news\nsecond line' : '',
      }));
      const callStart = process.hrtime.bigint();
      const { importRecipients } = await gql<{ importRecipients: { imported: number } }>(importer.token, IMPORT, { rows });
      if (importRecipients.imported !== ROWS_PER_CALL) throw new Error('an import call did not import every row');
      callTimes.push(seconds(callStart));
    }
    const importSeconds = seconds(importStart);
    const total = IMPORT_CALLS * ROWS_PER_CALL;
    console.log(`importRecipients: ${IMPORT_CALLS} calls x ${ROWS_PER_CALL} rows = ${total} recipients`);
    console.log(`  total ${importSeconds.toFixed(1)} s (${(total / importSeconds).toFixed(0)} rows/s); per call median ${ms(median(callTimes))}, max ${ms(Math.max(...callTimes))}`);

    // 2. Export.
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
    const exportStart = process.hrtime.bigint();
    const res = await fetch(`${url}/export/recipients.csv`, { headers: { authorization: `Bearer ${importer.token}` } });
    let bytes = 0;
    let newlines = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) newlines++;
    }
    clearInterval(sampler);
    console.log(`export: ${(bytes / 1e6).toFixed(1)} MB, ${newlines} lines in ${seconds(exportStart).toFixed(1)} s; RSS ${(rssBefore / 1e6).toFixed(0)} MB before, peak ${(rssPeak / 1e6).toFixed(0)} MB (+${((rssPeak - rssBefore) / 1e6).toFixed(0)} MB)`);

    // 3. Mailings to all of 100,000 recipients, and sending them now.
    const sender = await account(app, 'USER', 'sender');
    await em.execute(
      `insert into recipients (id, email, full_name, owner_id)
       select gen_random_uuid(), 'r' || n || '@example.com', 'Recipient ' || n, ? from generate_series(1, ?) n`,
      [sender.id, ALL_RECIPIENTS],
    );
    await em.execute('analyze');
    const { createMessage } = await gql<{ createMessage: { id: string } }>(sender.token, `mutation { createMessage(input: { subject: "Hi", body: "Hello" }) { id } }`);
    const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
      const start = process.hrtime.bigint();
      const result = await work();
      return [result, seconds(start)];
    };
    const spread = (times: number[]) => `p50 ${ms(median(times))}, max ${ms(Math.max(...times))}`;
    const mailingIds: string[] = [];
    const createTimes: number[] = [];
    for (let call = 0; call < CALLS; call++) {
      const [{ createMailing }, time] = await timed(() =>
        gql<{ createMailing: { id: string; recipientCount: number } }>(
          sender.token,
          `mutation($input: MailingInput!) { createMailing(input: $input) { id recipientCount } }`,
          { input: { messageId: createMessage.id, allRecipients: true, startAt: new Date(Date.now() + 86_400_000).toISOString(), endAt: new Date(Date.now() + 2 * 86_400_000).toISOString() } },
        ),
      );
      if (createMailing.recipientCount !== ALL_RECIPIENTS) throw new Error(`the mailing has ${createMailing.recipientCount} recipients`);
      mailingIds.push(createMailing.id);
      createTimes.push(time);
    }
    const helloTimes: number[] = [];
    for (let call = 0; call < CALLS; call++) helloTimes.push((await timed(() => gql(sender.token, `{ __typename }`)))[1]);
    console.log(`createMailing(allRecipients) for ${ALL_RECIPIENTS} recipients, ${CALLS} calls: ${spread(createTimes)} (target < 300 ms; { __typename } beside it: ${spread(helloTimes)})`);
    const [, rowsTime] = await timed(() => em.execute(`insert into mailing_recipients (mailing_id, recipient_id) select ?, id from recipients where owner_id = ?`, [mailingIds[0], sender.id]));
    await em.execute(`delete from mailing_recipients where mailing_id = ?`, [mailingIds[0]]);
    console.log(`  before: the request wrote a row per recipient, that statement alone: ${ms(rowsTime)}`);
    const createMailing = { id: mailingIds[0] };
    const pageStart = process.hrtime.bigint();
    await gql(sender.token, `query($id: ID!) { mailing(id: $id) { recipientPage(offset: 25000, limit: 20, search: "9") { total items { email } } } }`, { id: createMailing.id });
    console.log(`  its recipientPage (offset 25000, search): ${ms(seconds(pageStart))}`);

    const sendTimes: number[] = [];
    const attemptIds: string[] = [];
    for (const id of mailingIds) {
      const [{ sendMailingNow }, time] = await timed(() => gql<{ sendMailingNow: { id: string; status: string } }>(sender.token, `mutation($id: ID!) { sendMailingNow(id: $id) { id status total } }`, { id }));
      if (sendMailingNow.status !== 'PREPARING') throw new Error(`the run is ${sendMailingNow.status}`);
      attemptIds.push(sendMailingNow.id);
      sendTimes.push(time);
    }
    console.log(`sendMailingNow for ${ALL_RECIPIENTS} recipients, ${CALLS} calls: ${spread(sendTimes)} (target < 300 ms); the runs answer PREPARING`);
    // What the request did before: the whole run opened in one statement (openAttempt without a chunk size).
    await em.execute(`delete from attempts where id in (?)`, [attemptIds]);
    await em.execute(`update mailings set status = 'CREATED' where id in (?)`, [mailingIds]);
    const [, wholeTime] = await timed(() => openAttempt(app.orm.em, mailingIds[0], messageIdDomain(app.config.MAIL_FROM)));
    console.log(`  before: the whole run opened inside the request: ${ms(wholeTime)}`);
    await em.execute(`delete from attempts where mailing_id in (?)`, [mailingIds]);

    // 5 (data). 50,000 finished deliveries of one run over the last 60 days.
    const [{ id: attemptId }] = await em.execute<Array<{ id: string }>>(
      `insert into attempts (id, mailing_id, attempted_at, status, total) values (gen_random_uuid(), ?, now() - interval '60 days', 'FAILURE', ?) returning id`,
      [createMailing.id, FINISHED_DELIVERIES],
    );
    await em.execute(
      `insert into deliveries (id, attempt_id, email, status, updated_at)
       select gen_random_uuid(), ?, 'd' || n || '@example.com',
              (array['SENT', 'SENT', 'SENT', 'FAILED', 'UNCERTAIN'])[1 + n % 5]::delivery_status,
              now() - (n % 60) * interval '1 day' - (n % 1440) * interval '1 minute'
         from generate_series(1, ?) n`,
      [attemptId, FINISHED_DELIVERIES],
    );
    await em.execute('analyze');

    // 4. 10,000 mailings.
    const busy = await account(app, 'USER', 'busy');
    const manager = await account(app, 'MANAGER', 'manager');
    const [{ id: messageId }] = await em.execute<Array<{ id: string }>>(
      `insert into messages (id, subject, body, owner_id) values (gen_random_uuid(), 'Weekly', 'News', ?) returning id`,
      [busy.id],
    );
    await em.execute(
      `insert into mailings (id, created_at, start_at, end_at, message_id, owner_id)
       select gen_random_uuid(), now() - n * interval '1 minute', now() + interval '1 day', now() + interval '2 days', ?, ? from generate_series(1, ?) n`,
      [messageId, busy.id, MAILINGS],
    );
    await em.execute('analyze');
    const LIST = `query { mailings(limit: 20) { total items { id status disabled recipientCount editableFields message { subject } owner { email } progress { status sent failed } } } }`;
    for (const [who, as] of [['owner of 10,000', busy], ['manager (10,001 in all)', manager]] as const) {
      const times: number[] = [];
      for (let i = 0; i < LIST_REQUESTS; i++) {
        const start = process.hrtime.bigint();
        await gql(as.token, LIST);
        times.push(seconds(start));
      }
      console.log(`mailings(limit: 20) as ${who}, uncached: median ${ms(median(times))}, max ${ms(Math.max(...times))} over ${LIST_REQUESTS} requests`);
    }
    for (const [what, sql, params] of [
      ['owner page', `select * from mailings where owner_id = ? order by created_at desc, id asc limit 20`, [busy.id]],
      ['owner count', `select count(*) from mailings where owner_id = ?`, [busy.id]],
      ['staff page', `select * from mailings order by created_at desc, id asc limit 20`, []],
    ] as const) {
      const plan = await em.execute<Array<{ 'QUERY PLAN': string }>>(`explain analyze ${sql}`, [...params]);
      console.log(`  plan, ${what}:\n${plan.map((row) => `    ${row['QUERY PLAN']}`).join('\n')}`);
    }

    // 5. deliveryDaily.
    const DAILY = `query($from: DateTimeISO!, $to: DateTimeISO!) { deliveryDaily(from: $from, to: $to, timeZone: "Europe/Berlin") { day sent failed uncertain } }`;
    const vars = { from: new Date(Date.now() - 365 * 86_400_000).toISOString(), to: new Date().toISOString() };
    const dailyTimes: number[] = [];
    let days = 0;
    for (let i = 0; i < 10; i++) {
      const start = process.hrtime.bigint();
      days = (await gql<{ deliveryDaily: unknown[] }>(sender.token, DAILY, vars)).deliveryDaily.length;
      dailyTimes.push(seconds(start));
    }
    console.log(`deliveryDaily over ${days} days, ${FINISHED_DELIVERIES} finished deliveries: median ${ms(median(dailyTimes))}`);
  } finally {
    await app.close();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
