import { Migration } from '@mikro-orm/migrations';

/** A large attempt opens PREPARING and its deliveries are inserted in chunks (sending/prepare-attempt.ts). */
export class Migration20261130110500_attempt_preparing extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter type "attempt_status" add value if not exists 'PREPARING' before 'RUNNING';`);
    this.addSql(`alter table "attempts" add column "retry_of" uuid null, add column "prepared_through" uuid null;`);
    // The new value may not be used in the transaction that adds it: the open ones are those not closed.
    this.addSql(`drop index "attempts_one_running_per_mailing";`);
    this.addSql(`create unique index "attempts_one_running_per_mailing" on "attempts" ("mailing_id") where "status" not in ('SUCCESS', 'FAILURE');`);
  }

  override async down(): Promise<void> {
    this.addSql(`update "attempts" set "status" = 'RUNNING' where "status" = 'PREPARING';`);
    this.addSql(`alter table "attempts" drop column "retry_of", drop column "prepared_through";`);
    this.addSql(`drop index "attempts_one_running_per_mailing";`);
    this.addSql(`create unique index "attempts_one_running_per_mailing" on "attempts" ("mailing_id") where "status" = 'RUNNING';`);
  }
}
