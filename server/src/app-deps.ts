import type { MikroORM } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { Logger } from './common/logger';
import type { Mailer } from './mail/mailer';
import type { AppCache } from './cache/app-cache';
import type { AuthLimits } from './auth/auth-limits';
import type { RedisClient } from './common/redis';
import type { MailingScheduler } from './sending/scheduler.types';
import { accountHooks, mailingsUsingMessage } from './mailings/mailing-hooks';
import type { MessageUsage } from './messages/message.service';
import type { AccountHooks } from './users/user.service';

/** The long-lived parts of a process that services are built with. */
export interface AppParts {
  config: Config;
  logger: Logger;
  orm: MikroORM;
  mailer: Mailer;
  scheduler: MailingScheduler;
  /** Server-side cache of often-read answers, scoped per reader. */
  cache: AppCache;
  /** Login and account-mail attempts per account and client address, shared by every process. */
  authLimits: AuthLimits;
  /** Set when REDIS_URL is: what processes share beyond the database (e.g. rate limits). */
  redis?: RedisClient;
}

/** The parts, and what features lend the features below them (which cannot import them). */
export interface AppDeps extends AppParts, AccountHooks {
  messageUsage: MessageUsage;
}

export function appDeps(parts: AppParts): AppDeps {
  return {
    ...parts,
    messageUsage: mailingsUsingMessage,
    ...accountHooks(parts.scheduler),
  };
}
