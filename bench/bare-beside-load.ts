/**
 * How much a bare nodemailer pool loop slows when another process takes a share of one core beside
 * it (not a test): `yarn bench:bare-beside-load`.
 *
 * The engine's run has PostgreSQL beside it (~200–500 µs of CPU per message: a quarter to a half
 * of a core at the engine's rate); the bare loop it is compared with has nothing beside it. This
 * measures what that alone costs the bare loop, on the same kind of machine: the bare loop (its
 * own process, the server's node options, as in server-send.ts) sends BENCH_RECIPIENTS (20,000)
 * messages to the SMTP sink alone, then again while a process beside it is busy BENCH_BUSY_PERCENT
 * (30) % of the time (busy 3 ms of every 10); BENCH_ROUNDS (3) alternating pairs, each pair's ratio.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { bareRun } from './bare-process';
import { startSink } from './bench-sink';
import { median } from './stats';

const COUNT = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BUSY_PERCENT = Number(process.env.BENCH_BUSY_PERCENT ?? 30);
const PERIOD_MS = 10;

/** A process busy BUSY_PERCENT % of each 10 ms and idle the rest. */
function startBusyProcess() {
  const busyMs = (PERIOD_MS * BUSY_PERCENT) / 100;
  const script = `const tick = () => { const end = performance.now() + ${busyMs}; while (performance.now() < end); setTimeout(tick, ${PERIOD_MS - busyMs}); }; tick();`;
  return spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
}

async function main() {
  console.log(`Bare loop alone and beside a process busy ${BUSY_PERCENT} % of one core; ${COUNT.toLocaleString('en')} messages; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const sink = await startSink();
  try {
    await bareRun(sink.url, 1000);
    const ratios: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const alone = COUNT / (await bareRun(sink.url, COUNT)).seconds;
      const busy = startBusyProcess();
      const beside = COUNT / (await bareRun(sink.url, COUNT).finally(() => busy.kill())).seconds;
      ratios.push(beside / alone);
      console.log(`  round ${round}: alone ${alone.toFixed(0)} msg/s, beside it ${beside.toFixed(0)} msg/s, ratio ${(beside / alone).toFixed(2)}`);
    }
    console.log(`ratio beside / alone: min ${Math.min(...ratios).toFixed(2)}, median ${median(ratios).toFixed(2)}, max ${Math.max(...ratios).toFixed(2)}`);
  } finally {
    await sink.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
