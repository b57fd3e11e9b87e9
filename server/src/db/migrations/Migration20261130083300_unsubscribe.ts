import { Migration } from '@mikro-orm/migrations';

/**
 * One-click unsubscribe: when a recipient unsubscribed from their owner's mailings, and the
 * SKIPPED state of a delivery that was not sent because its recipient unsubscribed or was deleted.
 *
 * PostgreSQL adds an enum value inside a transaction but refuses to use it before the
 * transaction commits, and the migrations of one run share a transaction (allOrNothing):
 * a later migration must not use 'SKIPPED' in its SQL (an index predicate, a default).
 */
export class Migration20261130083300_unsubscribe extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "recipients" add column "unsubscribed_at" timestamptz null;`);
    this.addSql(`alter type "delivery_status" add value if not exists 'SKIPPED';`);
    this.addSql(`alter table "attempts" add column "skipped_count" int not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "attempts" drop column if exists "skipped_count";`);
    this.addSql(`alter table "recipients" drop column if exists "unsubscribed_at";`);
    // An enum value cannot be dropped: SKIPPED rows become FAILED, and the value stays unused.
    this.addSql(`update "deliveries" set "status" = 'FAILED' where "status" = 'SKIPPED';`);
  }
}
