/**
 * Start-lag benchmark (not a test): `yarn bench:start-lag`.
 *
 * Through the real server, compiled and run as `yarn start` runs it (NODE_ENV=production,
 * SERVER_ROLE=all), on a fresh database, sending to an SMTP sink in this process:
 * 1. One mailing of BENCH_RECIPIENTS_EACH (3) recipients, created through the API, due at a
 *    whole second: how long after its start its first message reaches the sink (the baseline).
 * 2. BENCH_MAILINGS (200) such mailings, all due at the same second: the lag of each one's
 *    first message after that second, p50 / p99 / max, and when the last message arrived.
 * BENCH_WORKERS (0) more processes as `yarn start:worker` runs them share the work.
 * The send rate is set high enough not to bind (the limiter is still asked for every message).
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); creates and drops a database of its own.
 */
import { Client } from 'pg';
import { createDatabase } from './bench-db';
import { benchAccount, graphqlClient, startServer, type BenchServer } from './bench-server';
import { startSink, type Sink } from './bench-sink';

const MAILINGS = Number(process.env.BENCH_MAILINGS ?? 200);
const RECIPIENTS_EACH = Number(process.env.BENCH_RECIPIENTS_EACH ?? 3);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 0);

type Gql = ReturnType<typeof graphqlClient>;

/** The next whole second at least `ms` from now. */
const wholeSecondIn = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 1000) * 1000);
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** Creates `count` mailings through the API, tagged `tag-<i>`, each to its own RECIPIENTS_EACH recipients, due at `startAt`. */
async function createMailings(db: Client, gql: Gql, ownerId: string, messageId: string, tag: string, count: number, startAt: Date) {
  const { rows } = await db.query<{ id: string; email: string }>(
    `insert into recipients (id, email, full_name, owner_id)
     select gen_random_uuid(), $1 || '-' || m || '-r' || r || '@bench.test', 'Reader ' || r, $2
     from generate_series(0, $3 - 1) m, generate_series(1, $4) r returning id, email`,
    [tag, ownerId, count, RECIPIENTS_EACH],
  );
  const byMailing = new Map<number, string[]>();
  for (const row of rows) {
    const index = Number(/-(\d+)-r\d+@/.exec(row.email)![1]);
    byMailing.set(index, [...(byMailing.get(index) ?? []), row.id]);
  }
  const endAt = new Date(startAt.getTime() + 86_400_000).toISOString();
  const MUTATION = `mutation($input: MailingInput!) { createMailing(input: $input) { id } }`;
  // A few at a time, as several users would.
  let next = 0;
  const creator = async () => {
    for (let i = next++; i < count; i = next++) {
      await gql(MUTATION, { input: { messageId, recipientIds: byMailing.get(i), startAt: startAt.toISOString(), endAt } });
    }
  };
  await Promise.all(Array.from({ length: 4 }, creator));
  if (Date.now() >= startAt.getTime()) throw new Error('the mailings were created after their start: allow more time');
}

/** Waits until every message of `tag`'s mailings reached the sink; returns each mailing's first arrival. */
async function firstArrivals(sink: Sink, tag: string, count: number): Promise<number[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const mails = sink.arrivals.filter((mail) => mail.to.startsWith(`${tag}-`));
    if (mails.length >= count * RECIPIENTS_EACH) {
      const first = new Map<number, number>();
      for (const mail of mails) {
        const index = Number(/-(\d+)-r\d+@/.exec(mail.to)![1]);
        first.set(index, Math.min(first.get(index) ?? Infinity, mail.at));
      }
      return [...first.values()];
    }
    if (Date.now() > deadline) throw new Error(`only ${mails.length} of ${count * RECIPIENTS_EACH} messages of ${tag} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function main() {
  const db = await createDatabase();
  const sink = await startSink({ keepArrivals: true });
  const env = { SMTP_URL: sink.url, SEND_RATE_PER_SECOND: '1000000' };
  const servers: BenchServer[] = [];
  const sql = new Client({ connectionString: db.url });
  try {
    servers.push(await startServer(db.url, { ...env, SERVER_ROLE: 'all' }));
    for (let i = 0; i < WORKERS; i++) servers.push(await startServer(db.url, { ...env, SERVER_ROLE: 'worker' }));
    await sql.connect();
    const owner = await benchAccount(db.url, 'lag@bench.test');
    const gql = graphqlClient(servers[0].url, owner.token);
    const { createMessage } = await gql<{ createMessage: { id: string } }>(`mutation { createMessage(input: { subject: "Hello {{fullName}}", body: "Dear {{fullName}}, our news." }) { id } }`);

    const aloneAt = wholeSecondIn(2000);
    await createMailings(sql, gql, owner.id, createMessage.id, 'alone', 1, aloneAt);
    const [alone] = await firstArrivals(sink, 'alone', 1);

    const manyAt = wholeSecondIn(5000 + MAILINGS * 100);
    await createMailings(sql, gql, owner.id, createMessage.id, 'many', MAILINGS, manyAt);
    const lags = (await firstArrivals(sink, 'many', MAILINGS)).map((at) => at - manyAt.getTime()).sort((a, b) => a - b);
    const lastAt = Math.max(...sink.arrivals.filter((mail) => mail.to.startsWith('many-')).map((mail) => mail.at));

    console.log(`Start lag: ${1 + WORKERS} process(es) (SERVER_ROLE=all${WORKERS ? ` + ${WORKERS} worker` : ''}), ${RECIPIENTS_EACH} recipients per mailing`);
    console.log(`  one mailing alone:         first message ${ms(alone - aloneAt.getTime())} after its start`);
    console.log(`  ${MAILINGS} mailings due at once: first message p50 ${ms(percentile(lags, 50))}, p99 ${ms(percentile(lags, 99))}, max ${ms(lags.at(-1)!)} after their start (target p99 <= 1000 ms)`);
    console.log(`  all ${MAILINGS * RECIPIENTS_EACH} messages in by   ${ms(lastAt - manyAt.getTime())}`);
  } finally {
    await sql.end().catch(() => undefined);
    for (const server of servers) await server.stop();
    await sink.close();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
