import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Agenda, type AgendaBackend } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { MongoClient } from 'mongodb';
import type { Pool } from 'pg';
import type { Config } from '../config';
import type { Logger } from '../common/logger';

const JOB_TABLE = 'agenda_jobs';
const JOB_COLLECTION = 'agendaJobs';
/** PostgreSQL answers a concurrent CREATE INDEX IF NOT EXISTS with one of these. */
const ALREADY_CREATED = new Set(['23505', '42P07']);

export interface JobStore {
  agenda: Agenda;
  /** Closes the store's own connection (MongoDB); the app's pool belongs to its creator. */
  close(): Promise<void>;
}

/**
 * Agenda on MongoDB when MONGODB_URL is set, else on the app's PostgreSQL. Either way
 * a unique index on `data.key` makes `unique()` upserts race-free (Agenda's upsert is a
 * read then a write).
 */
export async function openJobStore(config: Config, pool: Pool, logger: Logger): Promise<JobStore> {
  let mongo: MongoClient | undefined;
  let backend: AgendaBackend;
  if (config.MONGODB_URL) {
    // Loaded only when used: the MongoDB driver weighs some 30 MB in every process.
    const [{ MongoBackend }, { MongoClient }] = await Promise.all([import('@agendajs/mongo-backend'), import('mongodb')]);
    mongo = new MongoClient(config.MONGODB_URL);
    await mongo.connect();
    backend = new MongoBackend({ mongo: mongo.db(), collection: JOB_COLLECTION });
  } else {
    const postgres = new PostgresBackend({ pool, tableName: JOB_TABLE });
    // Its LISTEN connection reconnects by itself; unheard, a dropped one would crash the process.
    (postgres.notificationChannel as unknown as EventEmitter | undefined)?.on('error', (err: Error) =>
      logger.warn({ err }, 'job notification connection lost; reconnecting'),
    );
    backend = postgres;
  }
  const agenda = new Agenda({
    backend,
    name: `${hostname()}:${process.pid}`,
    processEvery: config.JOB_PROCESS_EVERY_MS,
    defaultLockLifetime: config.JOB_LOCK_LIFETIME_MS,
    removeOnComplete: true,
  });
  await agenda.ready;
  if (mongo) {
    await mongo
      .db()
      .collection(JOB_COLLECTION)
      .createIndex(
        { 'data.key': 1 },
        { name: 'agenda_jobs_key_unique', unique: true, partialFilterExpression: { 'data.key': { $exists: true } } },
      );
  } else {
    try {
      await pool.query(`create unique index if not exists agenda_jobs_key_unique on ${JOB_TABLE} ((data->>'key')) where data ? 'key'`);
    } catch (error) {
      if (!ALREADY_CREATED.has((error as { code?: string }).code ?? '')) throw error;
    }
  }
  return {
    agenda,
    async close() {
      await mongo?.close();
    },
  };
}

/** A unique-key violation from either store: another process upserted the same job first. */
export function isDuplicateJob(error: unknown): boolean {
  const code = (error as { code?: string | number }).code;
  return code === '23505' || code === 11000;
}
