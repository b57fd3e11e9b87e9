import { Migration } from '@mikro-orm/migrations';

/** A message is plain text or HTML; an attempt keeps the format it opened with, as it keeps the subject and body. */
export class Migration20261130083800_message_format extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create type "message_format" as enum ('TEXT', 'HTML');`);
    this.addSql(`alter table "messages" add column "format" "message_format" not null default 'TEXT';`);
    this.addSql(`alter table "attempts" add column "format" "message_format" not null default 'TEXT';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "attempts" drop column "format";`);
    this.addSql(`alter table "messages" drop column "format";`);
    this.addSql(`drop type "message_format";`);
  }
}
