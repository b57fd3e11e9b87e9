import { Migration } from '@mikro-orm/migrations';

/** The counts of login and account-mail attempts per account and client address (rate-limiter-flexible's RateLimiterPostgres shape). */
export class Migration20261130060000_auth_rate_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "auth_rate_limits" ("key" varchar(255) not null, "points" integer not null default 0, "expire" bigint null, constraint "auth_rate_limits_pkey" primary key ("key"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "auth_rate_limits";`);
  }
}
