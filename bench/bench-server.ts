import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { hashToken, newToken } from '../server/src/auth/tokens';
import { BENCH_SECRET } from './bench-db';

/** Node options of a server process: the production image's (Dockerfile) unless BENCH_SERVER_FLAGS sets others. */
export const SERVER_FLAGS = (process.env.BENCH_SERVER_FLAGS ?? '--max-old-space-size=192').split(' ').filter(Boolean);

export interface BenchServer {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts the compiled server (`node server/dist/main.js`, as `yarn start` does; this file's build sits
 * beside it) with NODE_ENV=production on `databaseUrl`, and resolves once it listens.
 * `env` adds to or overrides the defaults (SERVER_ROLE=api, an SMTP server that is not there); LOG_LEVEL must let "listening on" through (info).
 */
export function startServer(databaseUrl: string, env: Record<string, string> = {}, nodeFlags: string[] = SERVER_FLAGS): Promise<BenchServer> {
  const main = path.resolve(__dirname, '../server/src/main.js');
  const child = spawn(process.execPath, [...nodeFlags, main], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      SMTP_URL: 'smtp://127.0.0.1:9',
      UNSUBSCRIBE_SECRET: BENCH_SECRET,
      SERVER_ROLE: 'api',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  };
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
      if (url) {
        child.stdout!.off('data', onData);
        // BENCH_SERVER_LOG=file keeps the server's log (it is dropped otherwise).
        if (process.env.BENCH_SERVER_LOG) child.stdout!.pipe(fs.createWriteStream(process.env.BENCH_SERVER_LOG));
        else child.stdout!.resume();
        resolve({ child, url, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${out}`)));
  });
}

/** A verified account with a live session, in SQL; returns its id and bearer token. */
export async function benchAccount(databaseUrl: string, email = 'bench@bench.test', role: 'USER' | 'MANAGER' = 'USER'): Promise<{ id: string; token: string }> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `insert into users (id, email, password_hash, full_name, role, email_verified_at)
       values (gen_random_uuid(), $1, 'x', 'Bench', $2, now()) returning id`,
      [email, role],
    );
    const { token } = newToken();
    await client.query(`insert into sessions (id, token_hash, user_id, expires_at) values (gen_random_uuid(), $1, $2, now() + interval '1 day')`, [
      hashToken(token),
      rows[0].id,
    ]);
    return { id: rows[0].id, token };
  } finally {
    await client.end();
  }
}

/** A GraphQL client of the server at `url` for one bearer token; throws on errors. */
export function graphqlClient(url: string, token: string) {
  return async function gql<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
}

/** A process's resident memory now, in MB (VmRSS). */
export const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
