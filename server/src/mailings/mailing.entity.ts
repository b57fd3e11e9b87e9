import { Check, Collection, Entity, Enum, Index, ManyToMany, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../common/base.entity';
import { Message } from '../messages/message.entity';
import { Recipient } from '../recipients/recipient.entity';
import { User } from '../users/user.entity';

export enum MailingStatus {
  CREATED = 'CREATED',
  RUNNING = 'RUNNING',
  FINISHED = 'FINISHED',
}
registerEnumType(MailingStatus, {
  name: 'MailingStatus',
  description: 'CREATED: never sent; RUNNING: sent at least once and still active; FINISHED: past its end.',
});

@ObjectType({ description: 'A message sent to a set of recipients between startAt and endAt.' })
@Entity({ tableName: 'mailings' })
@Check({ name: 'mailings_end_after_start', expression: 'end_at > start_at' })
/** Lists are newest first (created_at desc, id): a page comes straight from these. */
@Index({ name: 'mailings_owner_newest_idx', expression: 'create index "mailings_owner_newest_idx" on "mailings" ("owner_id", "created_at" desc, "id")' })
@Index({ name: 'mailings_newest_idx', expression: 'create index "mailings_newest_idx" on "mailings" ("created_at" desc, "id")' })
export class Mailing extends BaseEntity {
  @Field(() => Date)
  @Property({ type: 'datetime' })
  startAt!: Date;

  @Field(() => Date)
  @Property({ type: 'datetime' })
  endAt!: Date;

  @Field(() => MailingStatus)
  @Enum({ items: () => MailingStatus, nativeEnumName: 'mailing_status', default: MailingStatus.CREATED })
  @Index()
  status: Opt<MailingStatus> = MailingStatus.CREATED;

  @Field(() => Boolean, {
    description: 'Paused by its owner: nothing is sent while true; resuming goes on with the same run. A paused mailing still finishes at its end.',
  })
  @Property({ type: 'boolean', default: false })
  paused: Opt<boolean> = false;

  @Field(() => Boolean, { description: 'Switched off by a manager: nothing is sent while true.' })
  @Property({ type: 'boolean', default: false })
  disabled: Opt<boolean> = false;

  /** Deleting a message that a mailing uses is refused (checked at statement end). */
  @ManyToOne(() => Message, { deleteRule: 'no action' })
  @Index()
  message!: Message;

  @ManyToMany({
    entity: () => Recipient,
    pivotTable: 'mailing_recipients',
    joinColumn: 'mailing_id',
    inverseJoinColumn: 'recipient_id',
  })
  recipients = new Collection<Recipient>(this);

  /**
   * Set when the mailing goes to all its owner's recipients: those who existed at that time (and
   * still exist), with no mailing_recipients rows. The view mailing_audience reads both kinds.
   */
  @Property({ type: 'datetime', nullable: true })
  allRecipientsAt?: Date | null;

  /** How many recipients it has: kept by the database on every change of its audience (migration 20261130121000). */
  @Property({ type: 'integer', default: 0 })
  recipientCount: Opt<number> = 0;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  owner!: User;
}
