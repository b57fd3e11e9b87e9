import { Migration } from '@mikro-orm/migrations';

/** A message's own From name, From address and Reply-To (null: the defaults); an attempt keeps them as they were when it opened. */
export class Migration20261130091000_message_sender extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "messages" add column "from_name" varchar(100) null, add column "from_address" varchar(320) null, add column "reply_to" varchar(320) null;`);
    this.addSql(`alter table "attempts" add column "from_name" varchar(200) not null default '', add column "from_address" varchar(320) null, add column "reply_to" varchar(320) not null default '';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "attempts" drop column "from_name", drop column "from_address", drop column "reply_to";`);
    this.addSql(`alter table "messages" drop column "from_name", drop column "from_address", drop column "reply_to";`);
  }
}
