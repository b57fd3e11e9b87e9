import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../common/base.entity';
import { Mailing } from '../mailings/mailing.entity';
import { MessageFormat } from '../messages/message.entity';

export enum AttemptStatus {
  PREPARING = 'PREPARING',
  RUNNING = 'RUNNING',
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
}
registerEnumType(AttemptStatus, {
  name: 'AttemptStatus',
  description:
    'PREPARING while a large run picks its recipients (those picked so far are sent meanwhile; total counts them); RUNNING while deliveries are pending; SUCCESS when every delivery was sent or skipped (unsubscribed, deleted); FAILURE otherwise.',
});

/** An attempt is open (the mailing's one open attempt) while it prepares or runs. */
export const OPEN_ATTEMPT_STATUSES: readonly AttemptStatus[] = [AttemptStatus.PREPARING, AttemptStatus.RUNNING];
export const isOpenAttempt = (status: AttemptStatus) => OPEN_ATTEMPT_STATUSES.includes(status);
/** The same in SQL, for `a.status ${OPEN_ATTEMPT_SQL}`. */
export const OPEN_ATTEMPT_SQL = `in ('PREPARING', 'RUNNING')`;

@ObjectType({ description: 'One sending run of a mailing and its totals.' })
@Entity({ tableName: 'attempts' })
@Index({ properties: ['mailing', 'attemptedAt'] })
@Unique({
  name: 'attempts_one_running_per_mailing',
  expression: `create unique index "attempts_one_running_per_mailing" on "attempts" ("mailing_id") where "status" not in ('SUCCESS', 'FAILURE')`,
})
export class Attempt extends BaseEntity {
  @ManyToOne(() => Mailing, { deleteRule: 'cascade' })
  mailing!: Mailing;

  @Field(() => Date)
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  attemptedAt: Opt<Date> = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  finishedAt?: Date | null;

  @Field(() => AttemptStatus)
  @Enum({ items: () => AttemptStatus, nativeEnumName: 'attempt_status', default: AttemptStatus.RUNNING })
  status: Opt<AttemptStatus> = AttemptStatus.RUNNING;

  @Field(() => String, { nullable: true, description: "The mail server's last answer." })
  @Property({ type: 'text', nullable: true })
  serverResponse?: string | null;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  total: Opt<number> = 0;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  sentCount: Opt<number> = 0;

  @Field(() => Int)
  @Property({ type: 'integer', default: 0 })
  failedCount: Opt<number> = 0;

  @Field(() => Int, { description: 'Connection lost after hand-over: may or may not have arrived.' })
  @Property({ type: 'integer', default: 0 })
  uncertainCount: Opt<number> = 0;

  @Field(() => Int, { description: 'Not sent: the recipient unsubscribed or was deleted while the run was open.' })
  @Property({ type: 'integer', default: 0 })
  skippedCount: Opt<number> = 0;

  /** Which recipients a retry is for: those whose delivery failed in this earlier attempt (null: the mailing's recipients). */
  @Property({ type: 'uuid', nullable: true })
  retryOf?: string | null;

  /** While PREPARING: the last recipient id whose delivery was prepared (recipients are taken in id order, a chunk at a time). */
  @Property({ type: 'uuid', nullable: true })
  preparedThrough?: string | null;

  /** The subject as it was when the attempt opened (placeholders not yet filled in). */
  @Property({ type: 'string', length: 300, default: '' })
  subject: Opt<string> = '';

  /** The body as it was when the attempt opened: editing the message does not change an attempt. */
  @Property({ type: 'text', default: '', lazy: true })
  body: Opt<string> = '';

  /** The body's format as it was when the attempt opened. */
  @Enum({ items: () => MessageFormat, nativeEnumName: 'message_format', default: MessageFormat.TEXT })
  format: Opt<MessageFormat> = MessageFormat.TEXT;

  /** The From name when the attempt opened: the message's, else its owner's full name ('': MAIL_FROM's). */
  @Property({ type: 'string', length: 200, default: '' })
  fromName: Opt<string> = '';

  /** The message's own From address when the attempt opened; null: MAIL_FROM's. */
  @Property({ type: 'string', length: 320, nullable: true })
  fromAddress?: string | null;

  /** Where replies go: the message's Reply-To, else its owner's email, when the attempt opened. */
  @Property({ type: 'string', length: 320, default: '' })
  replyTo: Opt<string> = '';
}
