import { Migration } from '@mikro-orm/migrations';

/**
 * Lists of mailings, newest first: a page is read from an index instead of sorting every
 * mailing of the owner (or, for managers, every mailing).
 *
 * Deliveries per day: a finished delivery is never written again, so its updated_at is
 * when it ended. The index holds only finished rows (one entry per delivery, added when
 * it ends), so sending pays almost nothing for it.
 */
export class Migration20261130000000_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "mailings_owner_newest_idx" on "mailings" ("owner_id", "created_at" desc, "id");`);
    this.addSql(`create index "mailings_newest_idx" on "mailings" ("created_at" desc, "id");`);
    this.addSql(
      `create index "deliveries_done_idx" on "deliveries" ("attempt_id", "updated_at") where "status" in ('SENT', 'FAILED', 'UNCERTAIN');`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "deliveries_done_idx";`);
    this.addSql(`drop index if exists "mailings_newest_idx";`);
    this.addSql(`drop index if exists "mailings_owner_newest_idx";`);
  }
}
