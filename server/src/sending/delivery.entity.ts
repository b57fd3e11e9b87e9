import { Entity, Enum, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../common/base.entity';
import { Recipient } from '../recipients/recipient.entity';
import { Attempt } from './attempt.entity';

export enum DeliveryStatus {
  PENDING = 'PENDING',
  SENDING = 'SENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
  UNCERTAIN = 'UNCERTAIN',
  SKIPPED = 'SKIPPED',
}
registerEnumType(DeliveryStatus, {
  name: 'DeliveryStatus',
  description:
    'PENDING: waiting (maybe for a retry); SENDING: claimed by a worker, maybe handed to the mail server; SENT; FAILED; UNCERTAIN: connection lost after hand-over; SKIPPED: not sent, because the recipient unsubscribed or was deleted (the response says which).',
});

@ObjectType({ description: 'One recipient of one run: what happened to their mail.' })
@Entity({ tableName: 'deliveries' })
@Unique({ name: 'deliveries_attempt_recipient_unique', properties: ['attempt', 'recipient'] })
@Index({ name: 'deliveries_claim_idx', properties: ['attempt', 'status', 'nextTryAt'] })
@Index({ name: 'deliveries_attempt_id_email_index', properties: ['attempt', 'email'] })
/** Finished deliveries by when they ended (updated_at: a finished delivery is never written again). */
@Index({
  name: 'deliveries_done_idx',
  expression: `create index "deliveries_done_idx" on "deliveries" ("attempt_id", "updated_at") where "status" in ('SENT', 'FAILED', 'UNCERTAIN')`,
})
export class Delivery extends BaseEntity {
  @ManyToOne(() => Attempt, { deleteRule: 'cascade' })
  attempt!: Attempt;

  /** Null once the recipient is deleted; email and name stay as they were sent. */
  @ManyToOne(() => Recipient, { deleteRule: 'set null', nullable: true })
  @Index()
  recipient?: Recipient | null;

  @Field(() => String)
  @Property({ type: 'string', length: 320 })
  email!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200, default: '' })
  fullName: Opt<string> = '';

  @Field(() => DeliveryStatus)
  @Enum({ items: () => DeliveryStatus, nativeEnumName: 'delivery_status', default: DeliveryStatus.PENDING })
  status: Opt<DeliveryStatus> = DeliveryStatus.PENDING;

  @Field(() => Int, { description: 'How many times sending was tried.' })
  @Property({ type: 'integer', default: 0 })
  tries: Opt<number> = 0;

  /**
   * PENDING: when it may be tried (again). SENDING: when its worker's claim lapses, so
   * a delivery left by a crashed worker is taken up again.
   */
  @Property({ type: 'datetime', defaultRaw: 'now()' })
  nextTryAt: Opt<Date> = new Date();

  @Field(() => String, { nullable: true, description: "The mail server's answer or the error; for SKIPPED, why it was not sent." })
  @Property({ type: 'text', nullable: true })
  response?: string | null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 300, nullable: true })
  messageId?: string | null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  sentAt?: Date | null;

  /**
   * When it was (about to be) handed to the mail server. Set just before it goes and cleared
   * by the next claim: a lapsed SENDING delivery with it set may have gone out.
   */
  @Property({ type: 'datetime', nullable: true })
  handedOverAt?: Date | null;

  @Field(() => Boolean, {
    description: 'Taken up again after its worker stopped while handing it to the mail server (a crash): it may have arrived twice. Its tries count both.',
  })
  @Property({ type: 'boolean', default: false })
  mayHaveArrivedTwice: Opt<boolean> = false;
}
