import { Migration } from '@mikro-orm/migrations';

/**
 * A delivery's hand-over to the mail server is marked before it goes (`handed_over_at`), so a
 * delivery taken up again after a crash is known to be a re-send (`may_have_arrived_twice`);
 * sending/README.md, "Crashes". Neither column is indexed and pages keep room for the new row
 * versions, so the mark is a HOT update.
 */
export class Migration20261130113000_delivery_hand_over extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "deliveries" add column "handed_over_at" timestamptz null, add column "may_have_arrived_twice" boolean not null default false;`);
    this.addSql(`alter table "deliveries" set (fillfactor = 70);`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "deliveries" reset (fillfactor);`);
    this.addSql(`alter table "deliveries" drop column "handed_over_at", drop column "may_have_arrived_twice";`);
  }
}
