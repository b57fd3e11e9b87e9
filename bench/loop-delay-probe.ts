/**
 * Preloaded into a server process by bench/mixed-load.ts (`node --require`; Node preloads it
 * into the sending thread too): measures the event loop's delay of the API's (main) thread
 * and of the sending thread. On SIGUSR2 the main thread appends what it saw since the last
 * signal to BENCH_LOOP_FILE as one JSON line ({ p50, p99, max } in ms) and asks the sending
 * thread to append its own to BENCH_LOOP_FILE.thread; each then starts again. The sending
 * thread writes its Linux thread id to BENCH_LOOP_FILE.tid.
 */
import fs from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';

const file = process.env.BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const append = (to: string) => {
    fs.appendFileSync(to, `${JSON.stringify({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) })}\n`);
    histogram.reset();
  };
  const channel = new BroadcastChannel('bench-loop-delay-probe');
  if (isMainThread) {
    process.on('SIGUSR2', () => {
      append(file);
      channel.postMessage('report');
    });
  } else {
    channel.onmessage = () => append(`${file}.thread`);
    // Its Linux thread id, for the bench to read its CPU time in /proc.
    fs.writeFileSync(`${file}.tid`, fs.readlinkSync('/proc/thread-self').split('/').at(-1)!);
  }
  channel.unref();
}
