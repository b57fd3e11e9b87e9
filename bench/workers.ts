/**
 * Workers benchmark (not a test): `yarn bench:workers`.
 *
 * Several worker processes on one database share one big attempt. An API process
 * (SERVER_ROLE=api) plans; workers run as `yarn start:worker` runs them (compiled,
 * NODE_ENV=production, SERVER_ROLE=worker), each with its pool of SMTP_POOL_SIZE (5)
 * connections, against an SMTP sink in this process that answers each message after
 * BENCH_SMTP_DELAY_MS (50). Each part sends a mailing of BENCH_RECIPIENTS (6,000) recipients,
 * created through the API with its start now, and counts at the sink:
 * 1. One worker, the send rate high enough not to bind: messages per second from the first
 *    message to the last.
 * 2. Two workers, the same: messages per second, and the ratio to 1 (target >= 1.8).
 * 3. Two workers under SEND_RATE_PER_SECOND = BENCH_RATE (100) for all processes together, a
 *    mailing of 15 s worth at that rate:
 *    messages per second, and whether any of the limiter's one-second windows let more through.
 * Every part checks that each recipient got the message once.
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); creates and drops a database of its own.
 */
import { Client } from 'pg';
import { createDatabase } from './bench-db';
import { benchAccount, graphqlClient, startServer, type BenchServer } from './bench-server';
import { startSink, type Sink } from './bench-sink';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 6000);
const SMTP_DELAY_MS = Number(process.env.BENCH_SMTP_DELAY_MS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 100);
/** About 15 s at the binding rate. */
const RATE_RECIPIENTS = RATE * 15;
const NOT_BINDING = '1000000';

interface Run {
  messages: number;
  seconds: number;
  perSecond: number;
  /** Most messages that arrived in any one second from the first. */
  busiestSecond: number;
}

/** Creates a mailing to `recipients` new recipients of a new owner, starting now, and waits until the sink has each once. */
async function sendOneMailing(databaseUrl: string, api: BenchServer, sink: Sink, tag: string, recipients: number): Promise<Run> {
  const owner = await benchAccount(databaseUrl, `${tag}@bench.test`);
  const sql = new Client({ connectionString: databaseUrl });
  await sql.connect();
  try {
    await sql.query(
      `insert into recipients (id, email, full_name, owner_id)
       select gen_random_uuid(), $1 || '-' || g || '@bench.test', 'Reader ' || g, $2 from generate_series(1, $3) g`,
      [tag, owner.id, recipients],
    );
  } finally {
    await sql.end();
  }
  const gql = graphqlClient(api.url, owner.token);
  const { createMessage } = await gql<{ createMessage: { id: string } }>(`mutation { createMessage(input: { subject: "News for {{fullName}}", body: "Dear {{fullName}}, our news." }) { id } }`);
  const now = Date.now();
  await gql(`mutation($input: MailingInput!) { createMailing(input: $input) { id } }`, {
    input: { messageId: createMessage.id, allRecipients: true, startAt: new Date(now).toISOString(), endAt: new Date(now + 86_400_000).toISOString() },
  });

  const deadline = Date.now() + 600_000;
  let mails = sink.arrivals.filter((mail) => mail.to.startsWith(`${tag}-`));
  while (mails.length < recipients) {
    if (Date.now() > deadline) throw new Error(`only ${mails.length} of ${recipients} messages of ${tag} arrived`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    mails = sink.arrivals.filter((mail) => mail.to.startsWith(`${tag}-`));
  }
  // Late duplicates (none expected) would come within a moment.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  mails = sink.arrivals.filter((mail) => mail.to.startsWith(`${tag}-`));
  const distinct = new Set(mails.map((mail) => mail.to)).size;
  if (distinct !== recipients || mails.length !== recipients) throw new Error(`${tag}: ${mails.length} messages to ${distinct} recipients`);

  const times = mails.map((mail) => mail.at).sort((a, b) => a - b);
  const seconds = (times.at(-1)! - times[0]) / 1000;
  let busiestSecond = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    busiestSecond = Math.max(busiestSecond, i - j + 1);
  }
  return { messages: mails.length, seconds, perSecond: mails.length / seconds, busiestSecond };
}

/** Starts `count` workers, sends one mailing with them, and stops them. */
async function withWorkers(databaseUrl: string, api: BenchServer, sink: Sink, count: number, rate: string, tag: string, recipients = RECIPIENTS): Promise<Run> {
  const env = { SMTP_URL: sink.url, SEND_RATE_PER_SECOND: rate, SERVER_ROLE: 'worker' };
  const workers = await Promise.all(Array.from({ length: count }, () => startServer(databaseUrl, env)));
  try {
    return await sendOneMailing(databaseUrl, api, sink, tag, recipients);
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

const describe = (run: Run) => `${run.perSecond.toFixed(0)} msg/s (${run.messages} messages in ${run.seconds.toFixed(1)} s, each once)`;

async function main() {
  const db = await createDatabase();
  const sink = await startSink({ answerDelayMs: SMTP_DELAY_MS, keepArrivals: true });
  const api = await startServer(db.url, { SMTP_URL: sink.url, SERVER_ROLE: 'api' });
  try {
    console.log(`Workers: one mailing of ${RECIPIENTS} recipients, SMTP sink answering after ${SMTP_DELAY_MS} ms, pool of 5 connections per worker`);
    const one = await withWorkers(db.url, api, sink, 1, NOT_BINDING, 'one');
    console.log(`  one worker:                ${describe(one)}`);
    const two = await withWorkers(db.url, api, sink, 2, NOT_BINDING, 'two');
    console.log(`  two workers:               ${describe(two)}`);
    console.log(`  ratio two / one:           ${(two.perSecond / one.perSecond).toFixed(2)} (target >= 1.8)`);
    const limited = await withWorkers(db.url, api, sink, 2, String(RATE), 'limited', RATE_RECIPIENTS);
    // The limiter counts in fixed one-second windows: any second of arrivals spans at most two of them.
    console.log(`  two workers, rate ${RATE}/s:    ${describe(limited)}; at most ${limited.busiestSecond} in any one second (two windows allow ${2 * RATE})`);
  } finally {
    await api.stop();
    await sink.close();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
