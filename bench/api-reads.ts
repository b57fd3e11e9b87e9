/**
 * Read benchmark (not a test): `yarn bench:reads`.
 *
 * The reads the web UI makes all day, against the real server as users run it (compiled,
 * NODE_ENV=production, a process of its own, SERVER_ROLE=all), on a fresh database seeded by
 * read-seed.ts (one user: 60 mailings of 1,000 recipients, the newest 5 of 20,000, and a
 * finished attempt of 20,000 deliveries), beside an Apollo Server hello-world
 * (hello-world-server.ts, another process) in the same run:
 * - the mailings list page's query (web/src/mailings/mailings.graphql), 50 rows;
 * - the Home page's figures (web/src/home/home.graphql);
 * - a page of 50 deliveries of the 20,000 (web/src/mailings/attempt-deliveries.graphql).
 * Each target gets autocannon at BENCH_CONNECTIONS (10) connections for BENCH_SECONDS (10) s
 * after a short warm-up; reported: requests/s, p50 and p95 latency, and the ratio of its
 * requests/s to hello-world's. Every answer is checked first (no errors, the rows expected).
 *
 * BENCH_REDIS_URL gives the server a Redis read cache (its REDIS_URL); without it the cache
 * is in process. BENCH_ONLY=mailings,home,deliveries loads only those (and hello-world).
 * BENCH_CPU_PROF=<dir> profiles the server (node --cpu-prof) into that folder.
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); creates and drops a database of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { createDatabase } from './bench-db';
import { SERVER_FLAGS, startServer, type BenchServer } from './bench-server';
import { seedReadData } from './read-seed';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = 2;
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** Which targets to load (mailings,home,deliveries); all unless set. */
const ONLY = process.env.BENCH_ONLY?.split(',');

const MAILINGS_QUERY = `query Mailings($offset: Int!, $limit: Int!, $search: String, $status: MailingStatus) {
  mailings(offset: $offset, limit: $limit, search: $search, status: $status) {
    total offset limit
    items { id status disabled paused startAt endAt recipientCount editableFields message { id subject } owner { id email } }
  }
}`;
const HOME_QUERY = `query HomeFigures { home { totalMailings activeMailings uniqueRecipients } }`;
const DELIVERIES_QUERY = `query AttemptDeliveries($attemptId: ID!, $status: DeliveryStatus, $search: String, $offset: Int!, $limit: Int!) {
  attemptDeliveries(attemptId: $attemptId, status: $status, search: $search, offset: $offset, limit: $limit) {
    total offset limit
    items { id email fullName status tries response updatedAt }
  }
}`;

interface Target {
  key: string;
  /** The process that answers. */
  pid: number;
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Throws unless the answer is what the page needs. */
  check(data: any): void;
}

/** Starts the hello-world server (compiled, beside this file's build); resolves with its URL once it listens. */
function startHelloWorld(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.resolve(__dirname, 'hello-world-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => {
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(chunk.toString())?.[1];
      if (url) resolve({ child, url });
      else reject(new Error(`hello-world printed ${chunk.toString()}`));
    });
    child.once('exit', (code) => reject(new Error(`hello-world exited (${code}) before listening`)));
  });
}

async function answerOf(target: Target): Promise<unknown> {
  const res = await fetch(target.url, { method: 'POST', headers: target.headers, body: target.body });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (!res.ok || body.errors) throw new Error(`${target.name} answered ${res.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** CPU time (user + system) a process has used, in ms; /proc counts it in ticks of 10 ms. */
const cpuMs = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

interface Figures {
  rps: number;
  p50: number;
  p95: number;
  requests: number;
  failures: number;
  /** CPU time of the process that answered, per request. */
  cpuMs: number;
}

/** autocannon at CONNECTIONS connections for `seconds`; latencies of every answer, in ms. */
async function load(target: Target, seconds: number): Promise<Figures> {
  const latencies: number[] = [];
  const cpuBefore = cpuMs(target.pid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url: target.url, method: 'POST', headers: target.headers, body: target.body, connections: CONNECTIONS, duration: seconds },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return {
    rps: result.requests.total / (result.duration || seconds),
    p50: at(0.5),
    p95: at(0.95),
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
    cpuMs: (cpuMs(target.pid) - cpuBefore) / result.requests.total,
  };
}

async function main() {
  const db = await createDatabase();
  const profile = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(PROFILE_DIR)}`] : [];
  const redis: Record<string, string> = process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {};
  let server: BenchServer | undefined;
  let hello: { child: ChildProcess; url: string } | undefined;
  try {
    server = await startServer(db.url, { SERVER_ROLE: 'all', ...redis }, [...SERVER_FLAGS, ...profile]);
    hello = await startHelloWorld();
    const started = process.hrtime.bigint();
    const seed = await seedReadData(db.url);
    console.log(`seeded in ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s: ${seed.mailingIds.length} mailings, attempt of 20,000 deliveries`);

    const api = (key: string, name: string, query: string, variables: Record<string, unknown>, check: Target['check']): Target => ({
      name,
      url: `${server!.url}/graphql`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${seed.token}` },
      body: JSON.stringify({ query, variables }),
      check,
      key,
      pid: server!.child.pid!,
    });
    const targets: Target[] = [
      {
        key: 'hello',
        pid: hello.child.pid!,
        name: 'hello-world Apollo Server',
        url: `${hello.url}/`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ hello }' }),
        check: (data) => {
          if (data.hello !== 'world') throw new Error('hello-world answered wrong');
        },
      },
      api('mailings', 'mailings list, 50 rows', MAILINGS_QUERY, { offset: 0, limit: 50 }, (data) => {
        const { items, total } = data.mailings;
        if (items.length !== 50 || total !== seed.mailingIds.length || items[0].recipientCount !== 20_000) throw new Error(`mailings answered ${total} / ${items.length} / ${items[0]?.recipientCount}`);
      }),
      api('home', 'home figures', HOME_QUERY, {}, (data) => {
        if (data.home.totalMailings !== seed.mailingIds.length || data.home.uniqueRecipients !== 20_000) throw new Error(`home answered ${JSON.stringify(data.home)}`);
      }),
      api('deliveries', 'deliveries page, 50 of 20,000', DELIVERIES_QUERY, { attemptId: seed.attemptId, offset: 100, limit: 50 }, (data) => {
        const { items, total } = data.attemptDeliveries;
        if (items.length !== 50 || total !== 20_000) throw new Error(`deliveries answered ${total} / ${items.length}`);
      }),
    ];
    for (const target of targets) target.check(await answerOf(target));
    // hello-world always runs: it is what the others are measured against.
    const measured = targets.filter((t) => t.key === 'hello' || !ONLY || ONLY.includes(t.key));

    const results: Array<{ target: Target; figures: Figures }> = [];
    for (const target of measured) {
      await load(target, WARMUP_SECONDS);
      results.push({ target, figures: await load(target, SECONDS) });
    }
    const baseline = results[0].figures.rps;
    console.log(`\n${CONNECTIONS} connections, ${SECONDS} s each (after ${WARMUP_SECONDS} s of warm-up)`);
    console.log('| target | requests/s | p50 | p95 | ratio to hello-world | server CPU per request | failed |');
    console.log('|---|---|---|---|---|---|---|');
    for (const { target, figures } of results) {
      console.log(
        `| ${target.name} | ${figures.rps.toFixed(0)} | ${figures.p50.toFixed(1)} ms | ${figures.p95.toFixed(1)} ms | ` +
          `1/${(baseline / figures.rps).toFixed(1)} | ${figures.cpuMs.toFixed(2)} ms | ${figures.failures} of ${figures.requests} |`,
      );
    }
  } finally {
    if (hello) hello.child.kill('SIGTERM');
    await server?.stop();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
