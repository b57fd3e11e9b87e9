import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { MailingScheduler } from './scheduler.types';

export interface SchedulerDeps {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  databaseUrl: string;
}

// Replaced by the Agenda scheduler (issue: sending engine).
export async function createScheduler(_deps: SchedulerDeps): Promise<MailingScheduler> {
  return {
    async mailingSaved() {},
    async mailingRemoved() {},
    async start() {},
    async close() {},
  };
}
