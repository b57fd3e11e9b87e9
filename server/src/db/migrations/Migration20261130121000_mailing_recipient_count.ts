import { Migration } from '@mikro-orm/migrations';

/**
 * A mailing's recipient count (as mailing_audience has them) is kept on its row, so lists
 * read it instead of counting on every request. Triggers keep it whoever writes: rows of
 * mailing_recipients (the services' SQL, the ORM's collections, cascades), the moment of a
 * mailing to all its owner's recipients (counted when it is set), and recipients of such a
 * mailing that are deleted (or that were created by that moment and committed later).
 * Statement triggers: one update per mailing per statement, however many rows it touches.
 */
export class Migration20261130121000_mailing_recipient_count extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "mailings" add column "recipient_count" int not null default 0;`);
    this.addSql(`update "mailings" m set "recipient_count" = c.n from (select "mailing_id", count(*)::int n from "mailing_audience" group by "mailing_id") c where m."id" = c."mailing_id";`);

    this.addSql(`create function mailing_recipients_count() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    update mailings m set recipient_count = m.recipient_count + c.n
      from (select mailing_id, count(*)::int n from added group by mailing_id) c where m.id = c.mailing_id;
  else
    update mailings m set recipient_count = m.recipient_count - c.n
      from (select mailing_id, count(*)::int n from removed group by mailing_id) c where m.id = c.mailing_id;
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger "mailing_recipients_count_added" after insert on "mailing_recipients" referencing new table as added for each statement execute function mailing_recipients_count();`);
    this.addSql(`create trigger "mailing_recipients_count_removed" after delete on "mailing_recipients" referencing old table as removed for each statement execute function mailing_recipients_count();`);

    this.addSql(`create function mailing_all_recipients_count() returns trigger language plpgsql as $$
begin
  new.recipient_count := (select count(*) from mailing_recipients where mailing_id = new.id)
    + case when new.all_recipients_at is null then 0
           else (select count(*) from recipients where owner_id = new.owner_id and created_at <= new.all_recipients_at) end;
  return new;
end $$;`);
    this.addSql(`create trigger "mailings_all_recipients_count" before insert or update of "all_recipients_at" on "mailings" for each row execute function mailing_all_recipients_count();`);

    this.addSql(`create function recipients_of_all_count() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    update mailings m set recipient_count = m.recipient_count + c.n
      from (select m2.id, count(*)::int n from added r
              join mailings m2 on m2.owner_id = r.owner_id and r.created_at <= m2.all_recipients_at group by m2.id) c
     where m.id = c.id;
  else
    update mailings m set recipient_count = m.recipient_count - c.n
      from (select m2.id, count(*)::int n from removed r
              join mailings m2 on m2.owner_id = r.owner_id and r.created_at <= m2.all_recipients_at group by m2.id) c
     where m.id = c.id;
  end if;
  return null;
end $$;`);
    this.addSql(`create trigger "recipients_of_all_count_added" after insert on "recipients" referencing new table as added for each statement execute function recipients_of_all_count();`);
    this.addSql(`create trigger "recipients_of_all_count_removed" after delete on "recipients" referencing old table as removed for each statement execute function recipients_of_all_count();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "recipients_of_all_count_removed" on "recipients";`);
    this.addSql(`drop trigger if exists "recipients_of_all_count_added" on "recipients";`);
    this.addSql(`drop function if exists recipients_of_all_count();`);
    this.addSql(`drop trigger if exists "mailings_all_recipients_count" on "mailings";`);
    this.addSql(`drop function if exists mailing_all_recipients_count();`);
    this.addSql(`drop trigger if exists "mailing_recipients_count_removed" on "mailing_recipients";`);
    this.addSql(`drop trigger if exists "mailing_recipients_count_added" on "mailing_recipients";`);
    this.addSql(`drop function if exists mailing_recipients_count();`);
    this.addSql(`alter table "mailings" drop column "recipient_count";`);
  }
}
