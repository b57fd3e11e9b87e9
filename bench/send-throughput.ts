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
import { createApp, type App } from '../server/src/app';
import { loadConfig } from '../server/src/config';
import { createDatabase, BENCH_SECRET } from './bench-db';
import { messageIdDomain, openAttempt } from '../server/src/sending/open-attempt';
import { bareLoop, BODY, POOL_SIZE, seeder } from './bench-mail';
import { startSink } from './bench-sink';
import { median } from './stats';

const SIZES = (process.env.BENCH_RECIPIENTS ?? '20000,100000').split(',').map(Number);
const RSS_RECIPIENTS = Number(process.env.BENCH_RSS_RECIPIENTS ?? 1_000_000);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'throughput,memory,rate').split(','));
/**
 * Node options of the measured worker. V8 sizes its heap by the machine's memory and lets
 * short-lived garbage pile up when it has room; a cap makes it collect sooner (bench/README.md).
 */
const WORKER_FLAGS = (process.env.BENCH_WORKER_FLAGS ?? '--max-old-space-size=192').split(' ').filter(Boolean);
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

/** A user, a message and a mailing to `count` recipients, in set-based SQL. */
async function seedMailing(app: App, count: number, tag: string): Promise<string> {
  const seed = await seeder(app.databaseUrl);
  try {
    const owner = await seed.owner(tag);
    const message = await seed.message(owner);
    await seed.recipients(owner, count, tag);
    const mailing = await seed.mailing(owner, message, count);
    await seed.analyze();
    return mailing;
  } finally {
    await seed.close();
  }
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

/** Alternating rounds of each size (BENCH_ROUNDS), medians reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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
