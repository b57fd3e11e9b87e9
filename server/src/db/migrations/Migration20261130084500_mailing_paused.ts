import { Migration } from '@mikro-orm/migrations';

/** A mailing's owner can pause it: nothing is sent while `paused` (sending/README.md, "Stopping"). */
export class Migration20261130084500_mailing_paused extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "mailings" add column "paused" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "mailings" drop column "paused";`);
  }
}
