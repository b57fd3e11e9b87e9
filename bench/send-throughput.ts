/**
 * Sending benchmark (not a test): `yarn bench:send`.
 *
 * 1. Throughput: for each size in BENCH_RECIPIENTS (20,000 and 100,000), a mailing sent by
 *    the engine (open the attempt, prepare its deliveries, claim batches, send, record every
 *    result) against an in-process SMTP sink, beside a bare nodemailer pool loop sending as
 *    many messages to the same sink with the same pool size and concurrency, in the same run;
 *    the time per recipient of each.
 * 2. Memory: peak RSS of a worker process sending an attempt to BENCH_RSS_RECIPIENTS
 *    (1,000,000) recipients, the sink living in another process; its time per recipient
 *    against the engine's at the smallest throughput size.
 * 3. Shared rate: two processes send at once under one SEND_RATE_PER_SECOND (BENCH_RATE,
 *    100); the messages per second they reach together. (The tests count the limiter's
 *    decisions; this is the figure.)
 *
 * BENCH_PARTS picks some of them, e.g. `BENCH_PARTS=rate` (default: all three).
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); each part uses a database of its own.
 * `yarn bench:send` compiles this file with the server (as `yarn build` does) and runs
 * the JavaScript, so the figures are those of a production process.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { createApp, type App } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createDatabase, BENCH_SECRET } from './bench-db';
import { messageIdDomain, openAttempt } from '../server/src/sending/open-attempt';
import { unsubscribeHeaders, unsubscribeLinks } from '../server/src/unsubscribe/unsubscribe-links';

const SIZES = (process.env.BENCH_RECIPIENTS ?? '20000,100000').split(',').map(Number);
const RSS_RECIPIENTS = Number(process.env.BENCH_RSS_RECIPIENTS ?? 1_000_000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'throughput,memory,rate').split(','));
const POOL_SIZE = 5;
/**
 * Node options of the measured worker. V8 sizes its heap by the machine's memory and lets
 * short-lived garbage pile up when it has room; a cap makes it collect sooner (bench/README.md).
 */
const WORKER_FLAGS = (process.env.BENCH_WORKER_FLAGS ?? '--max-old-space-size=192').split(' ').filter(Boolean);
const SUBJECT = 'Our news for {{fullName}}';
/** About 5 KB, like the figures in DESIGN.md. */
const BODY = `Dear {{fullName}},\n\n${'All the news that fits in a mailing, line after line. '.repeat(90)}\n\nSent to {{email}}.`;

const settings = (databaseUrl: string, smtpUrl: string, overrides: Record<string, string> = {}) =>
  loadConfig({
    NODE_ENV: 'production',
    UNSUBSCRIBE_SECRET: BENCH_SECRET,
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    SMTP_URL: smtpUrl,
    SERVER_ROLE: 'api',
    SMTP_POOL_SIZE: String(POOL_SIZE),
    // High enough not to bind: the limiter is still consulted for every message.
    SEND_RATE_PER_SECOND: '1000000',
    ...overrides,
  });

/** An SMTP server that accepts everything and only counts. */
async function startSink(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    count: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A user, a message and a mailing to `count` recipients, in set-based SQL. */
async function seedMailing(app: App, count: number, tag: string): Promise<string> {
  const em = app.orm.em.fork();
  const [{ id: owner }] = await em.execute<Array<{ id: string }>>(
    `insert into users (id, email, password_hash, full_name) values (gen_random_uuid(), ?, 'x', 'Bench') returning id`,
    [`bench-${tag}@bench.test`],
  );
  const [{ id: message }] = await em.execute<Array<{ id: string }>>(
    `insert into messages (id, subject, body, owner_id) values (gen_random_uuid(), ?, ?, ?) returning id`,
    [SUBJECT, BODY, owner],
  );
  const [{ id: mailing }] = await em.execute<Array<{ id: string }>>(
    `insert into mailings (id, start_at, end_at, message_id, owner_id)
     values (gen_random_uuid(), now() + interval '1 day', now() + interval '2 days', ?, ?) returning id`,
    [message, owner],
  );
  await em.execute(
    `insert into recipients (id, email, full_name, owner_id)
     select gen_random_uuid(), 'reader' || g || '-${tag}@bench.test', 'Reader ' || g, ? from generate_series(1, ?) g`,
    [owner, count],
  );
  await em.execute(`insert into mailing_recipients (mailing_id, recipient_id) select ?, id from recipients where owner_id = ?`, [mailing, owner]);
  await em.execute('analyze');
  return mailing;
}

/** The engine: open the attempt (a Delivery per recipient), then send it to the end in this process. */
async function engineRun(app: App, mailingId: string): Promise<{ seconds: number; sendSeconds: number }> {
  const started = process.hrtime.bigint();
  const attempt = await openAttempt(app.orm.em, mailingId, messageIdDomain(app.config.MAIL_FROM), { chunkSize: app.config.PREPARE_CHUNK_SIZE });
  const opened = process.hrtime.bigint();
  const stop = await app.scheduler.sendInProcess(attempt.id);
  if (stop.kind !== 'closed') throw new Error(`the attempt stopped: ${stop.kind}`);
  const done = process.hrtime.bigint();
  return { seconds: Number(done - started) / 1e9, sendSeconds: Number(done - opened) / 1e9 };
}

const BARE_OWNER = '00000000-0000-4000-8000-000000000000';
const bareUnsubscribeLinks = unsubscribeLinks({ APP_URL: 'http://localhost:4000', UNSUBSCRIBE_SECRET: BENCH_SECRET, UNSUBSCRIBE_MAILTO: undefined });

/** The same messages through a bare nodemailer pool, as many in flight as the engine keeps. */
async function bareLoop(smtpUrl: string, count: number): Promise<{ seconds: number }> {
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

/** Alternating rounds of each size (BENCH_ROUNDS), medians reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Alternates the two, ROUNDS times each, and keeps the medians: the machine's noise hits both alike. */
async function throughput(smtpUrl: string, recipients: number) {
  const db = await createDatabase();
  const app = await createApp(settings(db.url, smtpUrl));
  try {
    const warmup = await seedMailing(app, 1000, 'warmup');
    const mailings: string[] = [];
    for (let round = 0; round < ROUNDS; round++) mailings.push(await seedMailing(app, recipients, `round${round}`));
    await bareLoop(smtpUrl, 1000);
    await engineRun(app, warmup);

    const bare: number[] = [];
    const engine: number[] = [];
    const engineSend: number[] = [];
    for (const mailingId of mailings) {
      bare.push(recipients / (await bareLoop(smtpUrl, recipients)).seconds);
      const run = await engineRun(app, mailingId);
      engine.push(recipients / run.seconds);
      engineSend.push(recipients / run.sendSeconds);
    }
    return { bare: median(bare), engine: median(engine), engineSend: median(engineSend), rounds: { bare, engine } };
  } finally {
    await app.close();
    await db.drop();
  }
}

async function peakRss(smtpUrl: string) {
  const db = await createDatabase();
  const setup = await createApp(settings(db.url, smtpUrl));
  let mailingId: string;
  try {
    mailingId = await seedMailing(setup, RSS_RECIPIENTS, 'rss');
  } finally {
    await setup.close();
  }
  try {
    const child = spawn(process.execPath, [...WORKER_FLAGS, __filename, '--worker', db.url, smtpUrl, mailingId], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`the worker exited with ${code}`);
    return JSON.parse(output.trim().split('\n').at(-1)!) as { maxRssMb: number; seconds: number; sendSeconds: number };
  } finally {
    await db.drop();
  }
}

/** Two processes on one database, each sending an attempt of 5 s worth of messages at the shared rate. */
async function sharedRate(smtpUrl: string) {
  const db = await createDatabase();
  const limited = () => createApp(settings(db.url, smtpUrl, { SEND_RATE_PER_SECOND: String(RATE) }));
  const apps = [await limited(), await limited()];
  try {
    const perProcess = Math.round((RATE * 5) / 2);
    const mailings = [await seedMailing(apps[0], perProcess, 'rate-a'), await seedMailing(apps[1], perProcess, 'rate-b')];
    const domain = messageIdDomain(apps[0].config.MAIL_FROM);
    const attempts = await Promise.all(mailings.map((id, i) => openAttempt(apps[i].orm.em, id, domain)));
    const started = process.hrtime.bigint();
    await Promise.all(attempts.map((attempt, i) => apps[i].scheduler.sendInProcess(attempt.id)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { messages: 2 * perProcess, seconds };
  } finally {
    for (const app of apps) await app.close();
    await db.drop();
  }
}

/** The measured worker process of part 2. */
async function worker(databaseUrl: string, smtpUrl: string, mailingId: string) {
  const app = await createApp(settings(databaseUrl, smtpUrl));
  const run = await engineRun(app, mailingId);
  await app.close();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ maxRssMb, ...run })}\n`);
}

/** Microseconds per recipient at a rate in messages per second. */
const perRecipient = (rate: number) => `${(1e6 / rate).toFixed(0)} µs/recipient`;

async function main() {
  const sink = await startSink();
  try {
    /** The engine's whole-attempt rate at each size measured. */
    const engineRates = new Map<number, number>();
    if (PARTS.has('throughput')) {
      for (const recipients of SIZES) {
        console.log(`Throughput: ${recipients} recipients, pool of ${POOL_SIZE} connections, ~${Math.round(BODY.length / 1024)} KB body, median of ${ROUNDS} rounds`);
        const rates = await throughput(sink.url, recipients);
        engineRates.set(recipients, rates.engine);
        console.log(`  bare nodemailer pool loop: ${rates.bare.toFixed(0)} msg/s, ${perRecipient(rates.bare)}`);
        console.log(`  engine, whole attempt:     ${rates.engine.toFixed(0)} msg/s, ${perRecipient(rates.engine)} (sending phase ${rates.engineSend.toFixed(0)} msg/s)`);
        console.log(`  ratio engine / bare:       ${(rates.engine / rates.bare).toFixed(2)} (target >= 0.8)`);
        const each = (values: number[]) => values.map((v) => v.toFixed(0)).join(', ');
        console.log(`  rounds (msg/s):            bare ${each(rates.rounds.bare)}; engine ${each(rates.rounds.engine)}`);
      }
      const [smallest, ...larger] = [...engineRates.keys()].sort((a, b) => a - b);
      for (const size of larger) {
        console.log(`Engine time per recipient, ${size} vs ${smallest}: ${(engineRates.get(smallest)! / engineRates.get(size)!).toFixed(2)} (target <= 1.10)`);
      }
    }

    if (PARTS.has('memory')) {
      console.log(`Memory: a worker process sending an attempt to ${RSS_RECIPIENTS} recipients (node ${WORKER_FLAGS.join(' ') || 'with default options'})`);
      const before = sink.count();
      const rss = await peakRss(sink.url);
      const rate = RSS_RECIPIENTS / rss.seconds;
      console.log(`  peak RSS:                  ${rss.maxRssMb.toFixed(0)} MB (target <= 256 MB)`);
      console.log(`  run:                       ${rss.seconds.toFixed(0)} s (opening it included): ${rate.toFixed(0)} msg/s, ${perRecipient(rate)}; ${(RSS_RECIPIENTS / rss.sendSeconds).toFixed(0)} msg/s after openAttempt returned`);
      const smallest = Math.min(...engineRates.keys());
      if (Number.isFinite(smallest)) {
        console.log(`  time per recipient vs ${smallest}: ${(engineRates.get(smallest)! / rate).toFixed(2)} (target <= 1.10)`);
      }
      console.log(`  sink received:             ${sink.count() - before} messages`);
    }

    if (PARTS.has('rate')) {
      console.log(`Shared rate: two processes at once, SEND_RATE_PER_SECOND=${RATE} for both together`);
      const before = sink.count();
      const rate = await sharedRate(sink.url);
      // Counted in fixed one-second windows: n windows hold n x RATE messages and span a little over n - 1 seconds.
      const allowed = RATE * Math.ceil(rate.seconds);
      console.log(`  together:                  ${(rate.messages / rate.seconds).toFixed(1)} msg/s (${rate.messages} messages in ${rate.seconds.toFixed(2)} s)`);
      console.log(`  windows:                   ${Math.ceil(rate.seconds)} one-second windows allow ${allowed} (target: ${rate.messages} <= ${allowed})`);
      console.log(`  sink received:             ${sink.count() - before} messages`);
    }
  } finally {
    await sink.close();
  }
}

const [mode, ...args] = process.argv.slice(2);
(mode === '--worker' ? worker(args[0], args[1], args[2]) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
