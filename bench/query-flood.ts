/**
 * Query-limit benchmark (not a test): `yarn bench:flood`.
 *
 * The request of issue 9 against the real server, run as a process of its own (compiled,
 * NODE_ENV=production) on a fresh database: one logged-in request with 1,000 aliases of
 * `mailings(limit: 200) { items { recipients { email } message { body } } }`.
 * 0. GET /healthz alone, BENCH_ROUNDS times: the baseline on this machine as loaded as it is.
 * 1. The request alone, BENCH_ROUNDS times: how long its answer takes, what it answers, and
 *    the server's CPU time per request (from /proc), beside the same for `{ __typename }`,
 *    the cheapest query there is.
 * 2. Ten of them at once with one GET /healthz beside them, BENCH_ROUNDS times: how long
 *    /healthz takes to answer, and the ten.
 * 3. The server's resident memory (VmRSS, sampled every 20 ms) before, at its peak and after.
 * The request is refused while parsing, before any resolver runs, so the data does not matter.
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres); creates and drops a database of its own.
 */
import fs from 'node:fs';
import { benchAccount, rssMb, startServer } from './bench-server';
import { createDatabase } from './bench-db';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const AT_ONCE = 10;
const ATTACK = `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: mailings(limit: 200) { items { recipients { email } message { body } } }`).join(' ')} }`;

/** CPU time (user + system) a process has used, in ms; /proc counts it in ticks of 10 ms. */
const cpuMs = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const millis = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const spread = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const f = (v: number) => `${v.toFixed(1)} ms`;
  return `min ${f(sorted[0])}, median ${f(sorted[Math.floor(sorted.length / 2)])}, max ${f(sorted.at(-1)!)}`;
};

async function main() {
  const db = await createDatabase();
  const { child, url, stop } = await startServer(db.url);
  try {
    const { token } = await benchAccount(db.url, 'flood@bench.test');
    const attack = async (query = ATTACK) => {
      const start = process.hrtime.bigint();
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      const body = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      return { ms: millis(start), answer: `${res.status} ${body.errors?.map((e) => e.extensions?.code).join(',') ?? 'data'}` };
    };
    const healthz = async () => {
      const start = process.hrtime.bigint();
      const res = await fetch(`${url}/healthz`);
      await res.text();
      if (!res.ok) throw new Error(`/healthz answered ${res.status}`);
      return millis(start);
    };
    await healthz();
    await attack(); // the first request of a process pays for loading code
    const pid = child.pid!;
    const rssBefore = rssMb(pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(pid))), 20);

    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round++) baseline.push(await healthz());
    console.log(`/healthz alone (${ROUNDS} runs): ${spread(baseline)}`);

    /** The answers to `query` sent ROUNDS times one after another, and the server's CPU time per request. */
    const oneByOne = async (query?: string) => {
      const answers = [];
      const cpuBefore = cpuMs(pid);
      for (let round = 0; round < ROUNDS; round++) answers.push(await attack(query));
      return { answers, cpu: (cpuMs(pid) - cpuBefore) / ROUNDS };
    };
    const cheapest = await oneByOne('{ __typename }');
    const alone = await oneByOne();
    console.log(`${ATTACK.length.toLocaleString('en')}-character request, 1,000 aliases, alone (${ROUNDS} runs): answers ${[...new Set(alone.answers.map((a) => a.answer))].join(' / ')}`);
    console.log(`  ${spread(alone.answers.map((a) => a.ms))}; server CPU ${alone.cpu.toFixed(1)} ms per request ({ __typename }: ${cheapest.cpu.toFixed(1)} ms)`);

    const health: number[] = [];
    const flooded: Array<{ ms: number; answer: string }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ten = Array.from({ length: AT_ONCE }, () => attack());
      health.push(await healthz());
      flooded.push(...(await Promise.all(ten)));
    }
    console.log(`/healthz while ${AT_ONCE} such requests arrive at once (${ROUNDS} rounds): ${spread(health)}`);
    console.log(`  the ${flooded.length} requests: answers ${[...new Set(flooded.map((a) => a.answer))].join(' / ')}; ${spread(flooded.map((a) => a.ms))}`);
    clearInterval(sampler);
    console.log(`server RSS: before ${rssBefore.toFixed(0)} MB, peak ${rssPeak.toFixed(0)} MB, after ${rssMb(pid).toFixed(0)} MB (${ROUNDS * (AT_ONCE + 1)} refused requests)`);
  } finally {
    await stop();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
