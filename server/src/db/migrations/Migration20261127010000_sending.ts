import { Migration } from '@mikro-orm/migrations';

/**
 * Sending engine: a run keeps the subject and body it started with, a mailing has at
 * most one open run, and the global send-rate counter lives in the app's database.
 */
export class Migration20261127010000_sending extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "attempts" add column "subject" varchar(300) not null default '', add column "body" text not null default '';`);
    this.addSql(`create unique index "attempts_one_running_per_mailing" on "attempts" ("mailing_id") where "status" = 'RUNNING';`);
    this.addSql(`create index "deliveries_attempt_id_email_index" on "deliveries" ("attempt_id", "email");`);
    // The shape rate-limiter-flexible's RateLimiterPostgres expects.
    this.addSql(`create table "send_rate_limits" ("key" varchar(255) not null, "points" integer not null default 0, "expire" bigint null, constraint "send_rate_limits_pkey" primary key ("key"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "send_rate_limits";`);
    this.addSql(`drop index if exists "deliveries_attempt_id_email_index";`);
    this.addSql(`drop index if exists "attempts_one_running_per_mailing";`);
    this.addSql(`alter table "attempts" drop column "subject", drop column "body";`);
  }
}
