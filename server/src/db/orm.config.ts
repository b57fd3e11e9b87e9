import path from 'node:path';
import { DataloaderType, defineConfig } from '@mikro-orm/postgresql';
import type { EntityClass } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';

const migrationsPath = path.join(__dirname, 'migrations');

/** The ORM over `entities` (every feature's, see src/features.ts) at `clientUrl`. */
export function ormConfig(clientUrl: string, entities: EntityClass<object>[], overrides: { debug?: boolean } = {}) {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    dataloader: DataloaderType.ALL,
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: overrides.debug ?? false,
    // The process's one pool: requests, sending and the rate limit share it (the job store keeps its own, see sending/job-store.ts).
    pool: { min: 0, max: 16 },
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      glob: '!(*.d).{js,ts}',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
  });
}
