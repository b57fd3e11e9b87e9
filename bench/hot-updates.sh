#!/usr/bin/env bash
# How many of the hand-over marks PostgreSQL writes as HOT updates, by the deliveries table's
# fillfactor. A table shaped like deliveries (the same indexed columns) goes through what a run
# does to it: 20,000 rows claimed 200 at a time (an indexed column changes), marked handed over
# 10 at a time (no indexed column), and recorded (an indexed column changes).
# Usage: bench/hot-updates.sh [fillfactor ...]   (default: 100 70). Needs psql and the tests' PostgreSQL.
set -euo pipefail
ADMIN=${BENCH_DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
DB=bench_hot_updates
DB_URL=${ADMIN%/*}/$DB
for ff in "${@:-100 70}"; do
  for f in $ff; do
    psql "$ADMIN" -q -c "drop database if exists $DB" -c "create database $DB" 2>/dev/null
    psql "$DB_URL" -q <<SQL
create table d (id serial primary key, attempt_id int, status text, next_try_at timestamptz default now(),
  updated_at timestamptz default now(), tries int default 0, handed_over_at timestamptz, email varchar(320),
  full_name varchar(200) default 'Reader', message_id varchar(300), response text, sent_at timestamptz) with (fillfactor = $f);
create index on d (attempt_id, status, next_try_at);
create index on d (attempt_id, email);
insert into d (attempt_id, status, email, message_id)
  select 1, 'PENDING', 'someone' || g || '@example.test', '<' || gen_random_uuid() || '@example.test>' from generate_series(1, 20000) g;
SQL
    for b in $(seq 0 99); do
      lo=$((b * 200 + 1)); hi=$((lo + 199))
      echo "update d set status = 'SENDING', next_try_at = now() + interval '1 min', updated_at = now() where id between $lo and $hi;"
      for m in $(seq "$lo" 10 "$hi"); do echo "update d set handed_over_at = now() where id between $m and $((m + 9));"; done
      echo "update d set status = 'SENT', updated_at = now(), tries = 1, response = '250 2.0.0 Ok: queued', sent_at = now() where id between $lo and $hi;"
    done | psql "$DB_URL" -q
    sleep 1.5 # the statistics are flushed about once a second
    psql "$DB_URL" -At -F ' ' -c "select 'fillfactor $f: marks', 20000, 'HOT', n_tup_hot_upd, 'table', pg_size_pretty(pg_relation_size('d')) from pg_stat_user_tables where relname = 'd'"
    psql "$ADMIN" -q -c "drop database $DB"
  done
done
