/**
 * Sending through the real server (not a test): `yarn bench:server-send`.
 *
 * The compiled server as `yarn start` runs it (`node server/dist/main.js`, SERVER_ROLE=all: the
 * API, and sending on its thread; the production image's node options, BENCH_SERVER_FLAGS) on
 * a database of its own. For each size of BENCH_RECIPIENTS (20,000 and 100,000): a mailing of
 * that size sent with `sendMailingNow` through the API, timed from the request to the last
 * message at the SMTP sink (which lives in this process); beside it, in the same run, a bare
 * nodemailer pool loop in a process of its own sending as many messages (the same content and
 * headers) to the same sink with the same connections and in-flight count. BENCH_ROUNDS (3)
 * alternating rounds per size, medians; the time per recipient of each size against the
 * smallest; the server's peak RSS (VmRSS every 100 ms) while it sends each size; CPU time per
 * message of each side, of the sink and of PostgreSQL, and of the server's sending thread with
 * its time waiting for a core (the machine's cores are shared by all of them).
 * `BENCH_RECIPIENTS=20000,1000000 BENCH_ROUNDS=1` measures the 1,000,000 case (no bare loop above 100,000).
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL); creates and drops a database.
 */
import fs from 'node:fs';
import os from 'node:os';
import { createDatabase } from './bench-db';
import { bareRun } from './bare-process';
import { POOL_SIZE, seeder } from './bench-mail';
import { benchAccount, graphqlClient, rssMb, SERVER_FLAGS, startServer } from './bench-server';
import { startSink, type Sink } from './bench-sink';
import { cpuMs, median, postgresCpuMs } from './stats';

const SIZES = (process.env.BENCH_RECIPIENTS ?? '20000,100000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The ratio's target is at 20,000 and 100,000; beyond, only the engine's time per recipient and memory count. */
const BARE_MAX = 100_000;

/** Each thread's CPU time and time spent runnable but waiting for a core, so far (ns; /proc/<pid>/task/<tid>/schedstat). */
function threadTimes(pid: number): Map<string, { cpu: number; waited: number }> {
  const times = new Map<string, { cpu: number; waited: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const [cpu, waited] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      times.set(tid, { cpu, waited });
    } catch {
      // The thread ended meanwhile.
    }
  }
  return times;
}

/** Between two readings, the busiest thread's CPU time and wait for a core (ms): in the server sending, its sending thread. */
function busiestThread(before: Map<string, { cpu: number; waited: number }>, after: Map<string, { cpu: number; waited: number }>) {
  let busiest = { cpuMs: 0, waitedMs: 0 };
  for (const [tid, end] of after) {
    const start = before.get(tid) ?? { cpu: 0, waited: 0 };
    const cpuMs = (end.cpu - start.cpu) / 1e6;
    if (cpuMs > busiest.cpuMs) busiest = { cpuMs, waitedMs: (end.waited - start.waited) / 1e6 };
  }
  return busiest;
}

/** CPU time (ms) the sink and PostgreSQL spent while `run` ran. */
async function besideCpu<T>(sink: Sink, run: () => Promise<T>): Promise<T & { sinkMs: number; postgresMs: number }> {
  const sinkPid = sink.pid ?? process.pid;
  const [sinkBefore, postgresBefore] = [cpuMs(sinkPid), postgresCpuMs()];
  const result = await run();
  return { ...result, sinkMs: cpuMs(sinkPid) - sinkBefore, postgresMs: postgresCpuMs() - postgresBefore };
}

/** Resolves when the sink has `count` messages, with when (performance.now()) it had the first one after `before`. */
async function untilSinkHas(sink: Sink, before: number, count: number): Promise<number> {
  let first = 0;
  while (sink.count() < count) {
    if (!first && sink.count() > before) first = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return first || performance.now();
}

async function main() {
  console.log(`Sending through the server (SERVER_ROLE=all, node ${SERVER_FLAGS.join(' ')}), pool of ${POOL_SIZE} connections; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const db = await createDatabase();
  const sink = await startSink();
  const server = await startServer(db.url, { SERVER_ROLE: 'all', SMTP_URL: sink.url, SMTP_POOL_SIZE: String(POOL_SIZE), SEND_RATE_PER_SECOND: '1000000' });
  // The server migrates the new database; then the data goes in.
  const seed = await seeder(db.url);
  const owner = await benchAccount(db.url);
  const message = await seed.message(owner.id);
  await seed.recipients(owner.id, Math.max(...SIZES), 'send');
  const mailings = new Map<number, string[]>();
  for (const size of [1000, ...SIZES]) {
    const ids: string[] = [];
    for (let round = 0; round < (size === 1000 ? 1 : ROUNDS); round++) ids.push(await seed.mailing(owner.id, message, size));
    mailings.set(size, ids);
  }
  await seed.analyze();
  await seed.close();

  const rss = () => rssMb(server.child.pid!);
  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rss())), 100);
  const gql = graphqlClient(server.url, owner.token);
  const engineRun = async (mailingId: string, size: number) => {
    const before = sink.count();
    const cpuBefore = cpuMs(server.child.pid!);
    const threadsBefore = threadTimes(server.child.pid!);
    const started = performance.now();
    await gql(`mutation($id: ID!) { sendMailingNow(id: $id) { id } }`, { id: mailingId });
    const first = await untilSinkHas(sink, before, before + size);
    if (process.env.BENCH_TRACE) console.log(`    first message after ${(first - started).toFixed(0)} ms, last after ${(performance.now() - started).toFixed(0)} ms`);
    const sendingThread = busiestThread(threadsBefore, threadTimes(server.child.pid!));
    return { seconds: (performance.now() - started) / 1000, cpuMs: cpuMs(server.child.pid!) - cpuBefore, sendingThread };
  };
  try {
    console.log(`server RSS at start: ${rss().toFixed(0)} MB`);
    await engineRun(mailings.get(1000)![0], 1000);
    await bareRun(sink.url, 1000);
    const perRecipient = new Map<number, number>();
    for (const size of SIZES) {
      const bare: number[] = [];
      const engine: number[] = [];
      // CPU time per message (µs) of each side's whole process.
      const bareCpu: number[] = [];
      const engineCpu: number[] = [];
      // The server's sending thread: its CPU time, and its time runnable but waiting for a core (µs per message).
      const threadCpu: number[] = [];
      const threadWaited: number[] = [];
      // CPU time per message (µs) of the sink and of PostgreSQL beside each side: the machine's two cores are shared by all.
      const beside = { bare: [] as Array<{ sink: number; postgres: number }>, engine: [] as Array<{ sink: number; postgres: number }> };
      const perMessage = (run: { sinkMs: number; postgresMs: number }) => ({ sink: (run.sinkMs * 1000) / size, postgres: (run.postgresMs * 1000) / size });
      rssPeak = 0;
      for (const mailingId of mailings.get(size)!) {
        if (size <= BARE_MAX) {
          const run = await besideCpu(sink, () => bareRun(sink.url, size));
          bare.push(size / run.seconds);
          bareCpu.push((run.cpuMs * 1000) / size);
          beside.bare.push(perMessage(run));
        }
        const run = await besideCpu(sink, () => engineRun(mailingId, size));
        engine.push(size / run.seconds);
        engineCpu.push((run.cpuMs * 1000) / size);
        threadCpu.push((run.sendingThread.cpuMs * 1000) / size);
        threadWaited.push((run.sendingThread.waitedMs * 1000) / size);
        beside.engine.push(perMessage(run));
      }
      const [b, e] = [median(bare), median(engine)];
      perRecipient.set(size, 1e6 / e);
      console.log(`${size.toLocaleString('en')} recipients, median of ${ROUNDS}:`);
      if (bare.length) console.log(`  bare nodemailer pool loop: ${b.toFixed(0)} msg/s (rounds ${bare.map((r) => r.toFixed(0)).join(', ')})`);
      console.log(`  engine through the server: ${e.toFixed(0)} msg/s, ${(1e6 / e).toFixed(0)} µs/recipient (rounds ${engine.map((r) => r.toFixed(0)).join(', ')})`);
      if (bare.length) console.log(`  ratio engine / bare:       ${(e / b).toFixed(2)} (rounds ${engine.map((r, i) => (r / bare[i]).toFixed(2)).join(', ')}; target >= 0.8)`);
      const cpu = (values: number[]) => `${median(values).toFixed(0)} µs (rounds ${values.map((v) => v.toFixed(0)).join(', ')})`;
      console.log(`  CPU per message:           ${bare.length ? `bare loop ${cpu(bareCpu)}, ` : ''}server ${cpu(engineCpu)}`);
      console.log(`  server's sending thread:   CPU ${cpu(threadCpu)}, waiting for a core ${cpu(threadWaited)} per message`);
      const besideOf = (runs: Array<{ sink: number; postgres: number }>) =>
        `sink ${median(runs.map((r) => r.sink)).toFixed(0)} µs, PostgreSQL ${median(runs.map((r) => r.postgres)).toFixed(0)} µs`;
      console.log(`  CPU per message beside it:  ${bare.length ? `bare loop's ${besideOf(beside.bare)}; ` : ''}server's ${besideOf(beside.engine)}`);
      console.log(`  server peak RSS:           ${rssPeak.toFixed(0)} MB (target <= 256 MB)`);
    }
    const smallest = Math.min(...SIZES);
    for (const size of SIZES.filter((s) => s !== smallest)) {
      console.log(`time per recipient, ${size.toLocaleString('en')} vs ${smallest.toLocaleString('en')}: ${(perRecipient.get(size)! / perRecipient.get(smallest)!).toFixed(2)} (target <= 1.10)`);
    }
  } finally {
    clearInterval(sampler);
    await server.stop();
    await sink.close();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
