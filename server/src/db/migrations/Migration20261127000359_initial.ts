import { Migration } from '@mikro-orm/migrations';

export class Migration20261127000359_initial extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create type "user_role" as enum ('USER', 'MANAGER', 'ADMIN');`);
    this.addSql(`create type "mailing_status" as enum ('CREATED', 'RUNNING', 'FINISHED');`);
    this.addSql(`create type "attempt_status" as enum ('RUNNING', 'SUCCESS', 'FAILURE');`);
    this.addSql(`create type "delivery_status" as enum ('PENDING', 'SENDING', 'SENT', 'FAILED', 'UNCERTAIN');`);
    this.addSql(`create type "user_token_kind" as enum ('VERIFY_EMAIL', 'RESET_PASSWORD');`);
    this.addSql(`create table "users" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "email" varchar(320) not null, "password_hash" text not null, "full_name" varchar(200) not null default '', "phone" varchar(40) not null default '', "country" varchar(100) not null default '', "avatar_url" varchar(2000) null, "role" "user_role" not null default 'USER', "blocked" boolean not null default false, "email_verified_at" timestamptz null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_unique" unique ("email");`);
    this.addSql(`create index "users_role_index" on "users" ("role");`);

    this.addSql(`create table "sessions" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "token_hash" varchar(64) not null, "user_id" uuid not null, "expires_at" timestamptz not null, constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`alter table "sessions" add constraint "sessions_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "sessions_user_id_index" on "sessions" ("user_id");`);

    this.addSql(`create table "recipients" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "email" varchar(320) not null, "full_name" varchar(200) not null default '', "comment" text not null default '', "owner_id" uuid not null, constraint "recipients_pkey" primary key ("id"));`);
    this.addSql(`create index "recipients_owner_id_index" on "recipients" ("owner_id");`);
    this.addSql(`alter table "recipients" add constraint "recipients_owner_email_unique" unique ("owner_id", "email");`);

    this.addSql(`create table "messages" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "subject" varchar(300) not null, "body" text not null, "owner_id" uuid not null, constraint "messages_pkey" primary key ("id"));`);
    this.addSql(`create index "messages_owner_id_index" on "messages" ("owner_id");`);

    this.addSql(`create table "mailings" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "start_at" timestamptz not null, "end_at" timestamptz not null, "status" "mailing_status" not null default 'CREATED', "disabled" boolean not null default false, "message_id" uuid not null, "owner_id" uuid not null, constraint "mailings_pkey" primary key ("id"), constraint mailings_end_after_start check (end_at > start_at));`);
    this.addSql(`create index "mailings_status_index" on "mailings" ("status");`);
    this.addSql(`create index "mailings_message_id_index" on "mailings" ("message_id");`);
    this.addSql(`create index "mailings_owner_id_index" on "mailings" ("owner_id");`);

    this.addSql(`create table "mailing_recipients" ("mailing_id" uuid not null, "recipient_id" uuid not null, constraint "mailing_recipients_pkey" primary key ("mailing_id", "recipient_id"));`);
    this.addSql(`create index "mailing_recipients_recipient_id_index" on "mailing_recipients" ("recipient_id");`);

    this.addSql(`create table "attempts" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "mailing_id" uuid not null, "attempted_at" timestamptz not null default now(), "finished_at" timestamptz null, "status" "attempt_status" not null default 'RUNNING', "server_response" text null, "total" int not null default 0, "sent_count" int not null default 0, "failed_count" int not null default 0, "uncertain_count" int not null default 0, constraint "attempts_pkey" primary key ("id"));`);
    this.addSql(`create index "attempts_mailing_id_attempted_at_index" on "attempts" ("mailing_id", "attempted_at");`);

    this.addSql(`create table "deliveries" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "attempt_id" uuid not null, "recipient_id" uuid null, "email" varchar(320) not null, "full_name" varchar(200) not null default '', "status" "delivery_status" not null default 'PENDING', "tries" int not null default 0, "next_try_at" timestamptz not null default now(), "response" text null, "message_id" varchar(300) null, "sent_at" timestamptz null, constraint "deliveries_pkey" primary key ("id"));`);
    this.addSql(`create index "deliveries_recipient_id_index" on "deliveries" ("recipient_id");`);
    this.addSql(`create index "deliveries_claim_idx" on "deliveries" ("attempt_id", "status", "next_try_at");`);
    this.addSql(`alter table "deliveries" add constraint "deliveries_attempt_recipient_unique" unique ("attempt_id", "recipient_id");`);

    this.addSql(`create table "user_tokens" ("id" uuid not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "kind" "user_token_kind" not null, "token_hash" varchar(64) not null, "user_id" uuid not null, "expires_at" timestamptz not null, "used_at" timestamptz null, constraint "user_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "user_tokens" add constraint "user_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "user_tokens_user_id_index" on "user_tokens" ("user_id");`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "recipients" add constraint "recipients_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "messages" add constraint "messages_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "mailings" add constraint "mailings_message_id_foreign" foreign key ("message_id") references "messages" ("id") on update cascade on delete no action;`);
    this.addSql(`alter table "mailings" add constraint "mailings_owner_id_foreign" foreign key ("owner_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "mailing_recipients" add constraint "mailing_recipients_mailing_id_foreign" foreign key ("mailing_id") references "mailings" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "mailing_recipients" add constraint "mailing_recipients_recipient_id_foreign" foreign key ("recipient_id") references "recipients" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "attempts" add constraint "attempts_mailing_id_foreign" foreign key ("mailing_id") references "mailings" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "deliveries" add constraint "deliveries_attempt_id_foreign" foreign key ("attempt_id") references "attempts" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "deliveries" add constraint "deliveries_recipient_id_foreign" foreign key ("recipient_id") references "recipients" ("id") on update cascade on delete set null;`);

    this.addSql(`alter table "user_tokens" add constraint "user_tokens_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
  }

}
