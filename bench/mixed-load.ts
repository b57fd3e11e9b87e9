/**
 * Mixed-load benchmark (not a test): `yarn bench:mixed`.
 *
 * Sending while the API is busy, through the real server as users run it: the compiled
 * server, one process, SERVER_ROLE=all (API and sending together, the default), on a
 * database of its own, sending a BENCH_RECIPIENTS-recipient mailing to an SMTP sink in this
 * process that accepts everything (SEND_RATE_PER_SECOND high enough not to bind). While it
 * sends, phases of BENCH_PHASE_MS each alternate:
 * - idle: nothing but the sending;
 * - list 50/s: the web UI's mailings list query (50 rows with message, counts, status),
 *   open-loop at 50 requests/s (a request every 20 ms whether or not the last one answered,
 *   latency counted from when it was due, as many users' pages polling would);
 * - saturate: 10 connections sending that query back to back.
 * For each phase: messages/s at the sink and their ratio to the idle phases beside it, the
 * list's requests/s and p50/p95 latency, and the server's event-loop delay (p50/p99/max, from
 * bench/loop-delay-probe.ts preloaded into the server). Before the send starts the same list
 * phases run with nothing sending: the list's idle latency and throughput.
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL); creates and drops a database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase } from './bench-db';
import { seeder } from './bench-mail';
import { benchAccount, graphqlClient, rssMb, SERVER_FLAGS, startServer, type BenchServer } from './bench-server';
import { startSink, type Sink } from './bench-sink';
import { postgresCpuMs, statCpuMs } from './stats';

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
const PHASE_MS = Number(process.env.BENCH_PHASE_MS ?? 4000);
const LIST_RATE = 50;
const SATURATING_CONNECTIONS = 10;
const LIST_QUERY = `query Mailings($offset: Int!, $limit: Int!) {
  mailings(offset: $offset, limit: $limit) {
    total offset limit
    items { id status disabled paused startAt endAt recipientCount editableFields message { id subject } owner { id email } }
  }
}`;

type Phase = 'idle' | 'list 50/s' | 'saturate';

/** The owner: RECIPIENTS recipients; 49 small mailings (1,000 recipients each, starting tomorrow) and the big one. */
async function seed(databaseUrl: string, ownerId: string): Promise<string> {
  const seed = await seeder(databaseUrl);
  try {
    const message = await seed.message(ownerId);
    await seed.recipients(ownerId, RECIPIENTS, 'mixed');
    for (let i = 0; i < 49; i++) await seed.mailing(ownerId, message, 1000);
    const big = await seed.mailing(ownerId, message, RECIPIENTS);
    await seed.analyze();
    return big;
  } finally {
    await seed.close();
  }
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
};

interface ListLoad {
  latencies: number[];
  errors: number;
}

/** One list request; its latency counted from `due` (open loop) or from when it was sent. */
async function listOnce(gql: ReturnType<typeof graphqlClient>, due: number, load: ListLoad): Promise<void> {
  try {
    await gql(LIST_QUERY, { offset: 0, limit: 50 });
    load.latencies.push(performance.now() - due);
  } catch {
    load.errors++;
  }
}

async function runLoad(kind: Phase, gql: ReturnType<typeof graphqlClient>): Promise<ListLoad> {
  const load: ListLoad = { latencies: [], errors: 0 };
  const start = performance.now();
  const end = start + PHASE_MS;
  if (kind === 'idle') {
    await new Promise((resolve) => setTimeout(resolve, PHASE_MS));
  } else if (kind === 'list 50/s') {
    const inFlight: Array<Promise<void>> = [];
    for (let i = 0; start + (i * 1000) / LIST_RATE < end; i++) {
      const due = start + (i * 1000) / LIST_RATE;
      const delay = due - performance.now();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      inFlight.push(listOnce(gql, due, load));
    }
    await Promise.all(inFlight);
  } else {
    await Promise.all(
      Array.from({ length: SATURATING_CONNECTIONS }, async () => {
        while (performance.now() < end) await listOnce(gql, performance.now(), load);
      }),
    );
  }
  return load;
}

interface PhaseResult {
  kind: Phase;
  seconds: number;
  sent: number;
  load: ListLoad;
  loop: LoopDelay;
  /** The sending thread's (absent when it did not answer in time). */
  threadLoop?: LoopDelay;
  cpu: CpuShare;
}

/** CPU time (ms) over a phase: the server's API (main) thread, its sending thread, its other threads, PostgreSQL's backends of the bench database and all its processes, this bench process, the sink's process. */
interface CpuShare {
  api: number;
  sending: number;
  serverOther: number;
  pgBench: number;
  pgAll: number;
  bench: number;
  sink: number;
}

/** utime + stime of a process or thread, in ms, from its /proc stat line (0 once it is gone). */
function cpuMs(statPath: string): number {
  try {
    return statCpuMs(statPath);
  } catch {
    return 0;
  }
}

/** Every process whose command line matches `test`. */
function pidsWhere(test: (cmdline: string) => boolean): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' '));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A reading of the CPU time of each party (subtract two for a phase's share). */
function cpuNow(serverPid: number, sendingTid: number | undefined, databaseName: string, sinkPid: number | undefined): CpuShare {
  const tasks = fs.readdirSync(`/proc/${serverPid}/task`).map(Number);
  const byTask = new Map(tasks.map((tid) => [tid, cpuMs(`/proc/${serverPid}/task/${tid}/stat`)]));
  const api = byTask.get(serverPid) ?? 0;
  const sending = sendingTid ? (byTask.get(sendingTid) ?? 0) : 0;
  const all = [...byTask.values()].reduce((a, b) => a + b, 0);
  const benchBackends = pidsWhere((cmdline) => cmdline.startsWith('postgres') && cmdline.includes(databaseName));
  const usage = process.cpuUsage();
  return {
    api,
    sending,
    serverOther: all - api - sending,
    pgBench: benchBackends.reduce((total, pid) => total + cpuMs(`/proc/${pid}/stat`), 0),
    pgAll: postgresCpuMs(),
    bench: (usage.user + usage.system) / 1000,
    sink: sinkPid ? cpuMs(`/proc/${sinkPid}/stat`) : 0,
  };
}

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

const lastLine = (file: string) => {
  const lines = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n') : [];
  return lines.length && lines.at(-1) ? (JSON.parse(lines.at(-1)!) as LoopDelay) : undefined;
};

async function runPhase(kind: Phase, gql: ReturnType<typeof graphqlClient>, server: BenchServer, sink: Sink, loopFile: string, databaseName: string): Promise<PhaseResult> {
  server.child.kill('SIGUSR2'); // the probe starts a fresh histogram
  const sendingTid = fs.existsSync(`${loopFile}.tid`) ? Number(fs.readFileSync(`${loopFile}.tid`, 'utf8')) : undefined;
  const cpu = () => cpuNow(server.child.pid!, sendingTid, databaseName, sink.pid);
  const cpuBefore = cpu();
  const sentBefore = sink.count();
  const started = performance.now();
  const load = await runLoad(kind, gql);
  const seconds = (performance.now() - started) / 1000;
  const sent = sink.count() - sentBefore;
  const cpuAfter = cpu();
  const cpuShare = Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, v - cpuBefore[k as keyof CpuShare]])) as unknown as CpuShare;
  const threadLines = () => (fs.existsSync(`${loopFile}.thread`) ? fs.readFileSync(`${loopFile}.thread`, 'utf8').trim().split('\n').filter(Boolean).length : 0);
  const threadBefore = threadLines();
  server.child.kill('SIGUSR2');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const loop = lastLine(loopFile)!;
  const threadLoop = threadLines() > threadBefore ? lastLine(`${loopFile}.thread`) : undefined;
  return { kind, seconds, sent, load, loop, threadLoop, cpu: cpuShare };
}

function report(results: PhaseResult[], sending: boolean): void {
  const rate = (r: PhaseResult) => r.sent / r.seconds;
  for (const [i, r] of results.entries()) {
    const idleBeside = [results[i - 1], results[i + 1]].filter((x) => x?.kind === 'idle');
    const idleRate = idleBeside.reduce((sum, x) => sum + rate(x), 0) / (idleBeside.length || 1);
    const send = sending ? `send ${rate(r).toFixed(0).padStart(5)} msg/s${r.kind === 'idle' ? '        ' : ` (${(rate(r) / idleRate).toFixed(2)}×)`}` : '';
    const lat = r.load.latencies;
    const list =
      r.kind === 'idle'
        ? ''
        : `list ${(lat.length / r.seconds).toFixed(0).padStart(4)} req/s p50 ${percentile(lat, 50).toFixed(1)} ms p95 ${percentile(lat, 95).toFixed(1)} ms${r.load.errors ? ` errors ${r.load.errors}` : ''}`;
    const thread = r.threadLoop ? `  sending thread's loop p50 ${r.threadLoop.p50} / p99 ${r.threadLoop.p99} / max ${r.threadLoop.max} ms` : '';
    console.log(`  ${r.kind.padEnd(10)} ${send}  API loop p50 ${r.loop.p50} / p99 ${r.loop.p99} / max ${r.loop.max} ms${thread}  ${list}`);
    const share = (ms: number) => `${Math.round(ms / r.seconds / 10)}%`;
    const c = r.cpu;
    console.log(
      `             CPU (% of one core): API thread ${share(c.api)}, sending thread ${share(c.sending)}, server's other threads ${share(c.serverOther)}, ` +
        `PostgreSQL ${share(c.pgBench)} (all its processes ${share(c.pgAll)}), bench ${share(c.bench)}, sink ${share(c.sink)}`,
    );
  }
}

async function main() {
  console.log(`mixed load: ${RECIPIENTS.toLocaleString('en')} recipients, phases of ${PHASE_MS} ms; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const db = await createDatabase();
  const dbName = new URL(db.url).pathname.slice(1);
  const sink = await startSink();
  const loopFile = path.join(os.tmpdir(), `mixed-load-${process.pid}.jsonl`);
  fs.writeFileSync(loopFile, '');
  const probe = path.resolve(__dirname, 'loop-delay-probe.js');
  const server = await startServer(
    db.url,
    { SERVER_ROLE: 'all', SMTP_URL: sink.url, SEND_RATE_PER_SECOND: '1000000', BENCH_LOOP_FILE: loopFile },
    [...SERVER_FLAGS, '--require', probe],
  );
  try {
    const rss = () => rssMb(server.child.pid!);
    const rssAtStart = rss();
    let rssPeak = rssAtStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rss())), 100);
    const owner = await benchAccount(db.url);
    const mailingId = await seed(db.url, owner.id);
    const gql = graphqlClient(server.url, owner.token);
    await gql(LIST_QUERY, { offset: 0, limit: 50 });

    console.log('nothing sending:');
    report([await runPhase('list 50/s', gql, server, sink, loopFile, dbName), await runPhase('saturate', gql, server, sink, loopFile, dbName)], false);

    const asked = performance.now();
    await gql(`mutation($id: ID!) { sendMailingNow(id: $id) { id } }`, { id: mailingId });
    console.log(`sendMailingNow answered in ${(performance.now() - asked).toFixed(0)} ms`);
    while (sink.count() < 2000) await new Promise((resolve) => setTimeout(resolve, 50));

    console.log('while sending:');
    const phases: Phase[] = ['idle', 'list 50/s', 'idle', 'saturate', 'idle', 'list 50/s', 'idle', 'saturate', 'idle'];
    const results: PhaseResult[] = [];
    for (const kind of phases) results.push(await runPhase(kind, gql, server, sink, loopFile, dbName));
    if (sink.count() >= RECIPIENTS) console.log('WARNING: the mailing was sent in full before the last phase ended; raise BENCH_RECIPIENTS');
    report(results, true);
    const ratios = (kind: Phase) =>
      results
        .map((r, i) => ({ r, idle: [results[i - 1], results[i + 1]] }))
        .filter(({ r }) => r.kind === kind)
        .map(({ r, idle }) => r.sent / r.seconds / (idle.reduce((s, x) => s + x.sent / x.seconds, 0) / idle.length));
    clearInterval(sampler);
    console.log(`server RSS: ${rssAtStart.toFixed(0)} MB at start, ${rssPeak.toFixed(0)} MB at its peak`);
    console.log(`send rate vs idle: list 50/s ${ratios('list 50/s').map((x) => x.toFixed(2)).join(', ')}; saturate ${ratios('saturate').map((x) => x.toFixed(2)).join(', ')}`);
  } finally {
    await server.stop();
    await sink.close();
    await db.drop();
    fs.rmSync(loopFile, { force: true });
    fs.rmSync(`${loopFile}.thread`, { force: true });
    fs.rmSync(`${loopFile}.tid`, { force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
