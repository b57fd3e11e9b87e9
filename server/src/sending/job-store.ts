import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { Agenda, type AgendaBackend } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type { MongoClient } from 'mongodb';
import { Client, Pool } from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';

const JOB_TABLE = 'agenda_jobs';
const JOB_COLLECTION = 'agendaJobs';
/** PostgreSQL answers a concurrent CREATE INDEX IF NOT EXISTS with one of these. */
const ALREADY_CREATED = new Set(['23505', '42P07']);

export interface JobStore {
  agenda: Agenda;
  /**
   * For a process that saves jobs but runs none (SERVER_ROLE=api): a job saved here then wakes
   * the workers at once (PostgreSQL NOTIFY) instead of waiting for their next scan, up to
   * JOB_PROCESS_EVERY_MS later. Agenda does this itself in a process that runs jobs. Without a
   * notification channel (MongoDB) the workers' scans find the job.
   */
  announceSavedJobs(): Promise<void>;
  /** Closes the store's own connections. */
  close(): Promise<void>;
}

/**
 * Agenda on MongoDB when MONGODB_URL is set, else on the app's PostgreSQL. Either way
 * a unique index on `data.key` makes `unique()` upserts race-free (Agenda's upsert is a
 * read then a write).
 */
export async function openJobStore(config: Config, databaseUrl: string, em: EntityManager, logger: Logger): Promise<JobStore> {
  let close: () => Promise<void>;
  let backend: AgendaBackend;
  let announceSavedJobs = async () => {};
  if (config.MONGODB_URL) {
    // Loaded only when used: the MongoDB driver weighs some 30 MB in every process.
    const [{ MongoBackend }, { MongoClient }] = await Promise.all([import('@agendajs/mongo-backend'), import('mongodb')]);
    const mongo: MongoClient = new MongoClient(config.MONGODB_URL);
    await mongo.connect();
    await mongo
      .db()
      .collection(JOB_COLLECTION)
      .createIndex(
        { 'data.key': 1 },
        { name: 'agenda_jobs_key_unique', unique: true, partialFilterExpression: { 'data.key': { $exists: true } } },
      );
    backend = new MongoBackend({ mongo: mongo.db(), collection: JOB_COLLECTION });
    close = () => mongo.close();
  } else {
    // Agenda's backend takes a pg Pool and keeps one of its clients LISTENing: the job store has a small pool of its own.
    const pool = new Pool({ connectionString: databaseUrl, max: 10, application_name: 'mailing-jobs' });
    pool.on('error', (err) => logger.warn({ err }, 'job store connection failed'));
    const postgres = new PostgresBackend({ pool, tableName: JOB_TABLE });
    // Its LISTEN connection reconnects by itself; unheard, a dropped one would crash the process.
    (postgres.notificationChannel as unknown as EventEmitter | undefined)?.on('error', (err: Error) =>
      logger.warn({ err }, 'job notification connection lost; reconnecting'),
    );
    // Agenda would also NOTIFY every job's start, success and completion for listeners in other
    // processes: three statements per job, heard and parsed by every worker. Nothing here listens
    // to them (a job's failure is logged where it ran), so this channel does not send them.
    const channel = postgres.notificationChannel as { publishState?: unknown } | undefined;
    if (channel) channel.publishState = undefined;
    backend = postgres;
    announceSavedJobs = async () => {
      await postgres.notificationChannel?.connect();
    };
    close = async () => {
      // Its LISTEN connection, when this process connected it without running jobs (Agenda's stop releases it otherwise).
      await postgres.notificationChannel?.disconnect();
      await pool.end();
    };
  }
  const start = async () => {
    const agenda = new Agenda({
      backend,
      name: `${hostname()}:${process.pid}`,
      processEvery: config.JOB_PROCESS_EVERY_MS,
      defaultLockLifetime: config.JOB_LOCK_LIFETIME_MS,
      removeOnComplete: true,
    });
    await agenda.ready;
    if (!config.MONGODB_URL) {
      try {
        await em.execute(`create unique index if not exists agenda_jobs_key_unique on ${JOB_TABLE} ((data->>'key')) where data ? 'key'`);
      } catch (error) {
        if (!ALREADY_CREATED.has((error as { code?: string }).code ?? '')) throw error;
      }
    }
    return agenda;
  };
  const agenda = config.MONGODB_URL ? await start() : await oneAtATime(databaseUrl, start);
  return { agenda, announceSavedJobs, close };
}

/**
 * Processes starting together would create the job table, its indexes and its notify trigger at
 * the same time, and PostgreSQL answers concurrent catalog changes with "tuple concurrently
 * updated": the first to start creates them while the others wait on an advisory lock.
 */
async function oneAtATime<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'mailing-jobs-setup' });
  await client.connect();
  try {
    await client.query(`select pg_advisory_lock(hashtext('mailing:job-store-schema'))`);
    return await work();
  } finally {
    await client.end();
  }
}

/** A unique-key violation from either store: another process upserted the same job first. */
export function isDuplicateJob(error: unknown): boolean {
  const code = (error as { code?: string | number }).code;
  return code === '23505' || code === 11000;
}
