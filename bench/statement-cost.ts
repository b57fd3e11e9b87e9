/**
 * What one statement of results costs PostgreSQL, apart from the rows it writes (not a test):
 * `yarn bench:statement-cost`.
 *
 * A table shaped like `deliveries` (its columns, its six indexes, fillfactor 70) holds 20,000
 * claimed (SENDING) deliveries of one attempt, beside 100,000 finished ones of earlier attempts;
 * the sending engine's own results statement (record.ts, RECORD_RESULTS, as runSql sends it)
 * then records them all as SENT, BENCH_BATCHES (5,10) rows per statement, one statement after
 * the other as the result writer does. For each batch size: the PostgreSQL backend's CPU time per
 * row (/proc), over BENCH_ROUNDS (3) alternating rounds; from the first two sizes, what a
 * statement costs by itself and what each row adds.
 *
 * Needs the PostgreSQL of the tests (BENCH_DATABASE_ADMIN_URL) on this machine; creates and drops a database.
 */
import { Client } from 'pg';
import { RECORD_RESULTS } from '../server/src/sending/record';
import { sqlText } from '../server/src/sending/raw-sql';
import { createDatabase } from './bench-db';
import { cpuMs, median } from './stats';

const BATCHES = (process.env.BENCH_BATCHES ?? '5,10').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const ROWS = 20_000;

const SCHEMA = `
create type delivery_status as enum ('PENDING', 'SENDING', 'SENT', 'FAILED', 'UNCERTAIN', 'SKIPPED');
create table deliveries (id uuid primary key, created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
  attempt_id uuid not null, recipient_id uuid, email varchar(320) not null, full_name varchar(200) not null default '',
  status delivery_status not null default 'PENDING', tries int not null default 0, next_try_at timestamptz not null default now(),
  response text, message_id varchar(300), sent_at timestamptz, handed_over_at timestamptz,
  may_have_arrived_twice boolean not null default false) with (fillfactor = 70);
create index deliveries_recipient_id_index on deliveries (recipient_id);
create index deliveries_claim_idx on deliveries (attempt_id, status, next_try_at);
alter table deliveries add constraint deliveries_attempt_recipient_unique unique (attempt_id, recipient_id);
create index deliveries_attempt_id_email_index on deliveries (attempt_id, email);
create index deliveries_done_idx on deliveries (attempt_id, updated_at) where status in ('SENT', 'FAILED', 'UNCERTAIN');
insert into deliveries (id, attempt_id, recipient_id, email, status)
  select gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'earlier' || g || '@bench.test', 'SENT' from generate_series(1, 100000) g;`;

/** Records `ROWS` claimed deliveries of a new attempt, `batch` per statement; the backend's CPU time per row (µs). */
async function recordAll(url: string, setup: Client, batch: number): Promise<number> {
  const { rows } = await setup.query<{ id: string }>(
    `insert into deliveries (id, attempt_id, recipient_id, email, status, next_try_at)
     select gen_random_uuid(), a.id, gen_random_uuid(), 'reader' || g || '@bench.test', 'SENDING', now() + interval '1 minute'
     from generate_series(1, $1) g, (select gen_random_uuid() as id) a returning id`,
    [ROWS],
  );
  await setup.query('analyze deliveries');
  await setup.query('checkpoint');
  const writer = new Client({ connectionString: url });
  await writer.connect();
  try {
    const { rows: backend } = await writer.query<{ pid: number }>('select pg_backend_pid() as pid');
    const before = cpuMs(backend[0].pid);
    for (let i = 0; i < rows.length; i += batch) {
      const ids = rows.slice(i, i + batch).map((row) => row.id);
      const now = new Date().toISOString();
      const columns = [ids, ids.map(() => 'SENT'), ids.map(() => '250 2.0.0 Ok: queued as 4XyZ'), ids.map(() => 1), ids.map(() => now), ids.map(() => now)];
      await writer.query(sqlText(RECORD_RESULTS, columns));
    }
    return ((cpuMs(backend[0].pid) - before) * 1000) / rows.length;
  } finally {
    await writer.end();
  }
}

async function main() {
  const db = await createDatabase();
  const setup = new Client({ connectionString: db.url });
  await setup.connect();
  try {
    await setup.query(SCHEMA);
    const perRow = new Map<number, number[]>(BATCHES.map((batch) => [batch, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const batch of BATCHES) perRow.get(batch)!.push(await recordAll(db.url, setup, batch));
    }
    console.log(`PostgreSQL backend CPU per result row, ${ROWS.toLocaleString('en')} rows recorded per round, ${ROUNDS} rounds:`);
    for (const [batch, values] of perRow) {
      const sorted = [...values].sort((a, b) => a - b);
      console.log(`  ${batch} rows per statement: ${sorted.map((v) => v.toFixed(0)).join(' / ')} µs (min / … / max), median ${median(values).toFixed(0)} µs`);
    }
    if (BATCHES.length >= 2) {
      const [small, large] = BATCHES;
      const [a, b] = [median(perRow.get(small)!), median(perRow.get(large)!)];
      // cost per row = row + statement / batch, from the two medians.
      const statement = ((a - b) * small * large) / (large - small);
      console.log(`  so a statement costs ~${statement.toFixed(0)} µs by itself and each row ~${(a - statement / small).toFixed(0)} µs more`);
    }
  } finally {
    await setup.end();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
