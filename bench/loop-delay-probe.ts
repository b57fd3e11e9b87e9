/**
 * Preloaded into a server process by bench/mixed-load.ts (`node --require`): measures the
 * event loop's delay, and on SIGUSR2 appends what it saw since the last signal to
 * BENCH_LOOP_FILE as one JSON line ({ p50, p99, max } in ms), then starts again.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  process.on('SIGUSR2', () => {
    fs.appendFileSync(file, `${JSON.stringify({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) })}\n`);
    histogram.reset();
  });
}
