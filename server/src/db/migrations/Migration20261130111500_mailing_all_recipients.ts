import { Migration } from '@mikro-orm/migrations';

/**
 * A mailing to all its owner's recipients keeps the time instead of a row per recipient, so
 * createMailing answers at once for any number; mailing_audience is every mailing's recipients.
 */
export class Migration20261130111500_mailing_all_recipients extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "mailings" add column "all_recipients_at" timestamptz null;`);
    this.addSql(`create index "recipients_owner_id_id_index" on "recipients" ("owner_id", "id");`);
    this.addSql(`create view "mailing_audience" as
      select mr.mailing_id, mr.recipient_id from mailing_recipients mr
      union all
      select m.id as mailing_id, r.id as recipient_id
        from mailings m join recipients r on r.owner_id = m.owner_id and r.created_at <= m.all_recipients_at
       where m.all_recipients_at is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`insert into mailing_recipients (mailing_id, recipient_id) select mailing_id, recipient_id from mailing_audience ma
      join mailings m on m.id = ma.mailing_id where m.all_recipients_at is not null;`);
    this.addSql(`drop view "mailing_audience";`);
    this.addSql(`drop index "recipients_owner_id_id_index";`);
    this.addSql(`alter table "mailings" drop column "all_recipients_at";`);
  }
}
