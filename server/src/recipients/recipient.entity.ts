import { Entity, Index, ManyToOne, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../common/base.entity';
import { User } from '../users/user.entity';

@ObjectType({ description: 'A person who receives mailings; belongs to one owner.' })
@Entity({ tableName: 'recipients' })
@Unique({ name: 'recipients_owner_email_unique', properties: ['owner', 'email'] })
/** An owner's recipients in id order: a mailing to all of them is prepared a chunk at a time along it. */
@Index({ name: 'recipients_owner_id_id_index', properties: ['owner', 'id'] })
export class Recipient extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 320 })
  email!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200, default: '' })
  fullName: Opt<string> = '';

  @Field(() => String)
  @Property({ type: 'text', default: '' })
  comment: Opt<string> = '';

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  owner!: User;

  @Field(() => Date, {
    nullable: true,
    description: 'When the recipient unsubscribed from their owner’s mailings (the link in every message); null while subscribed. No mailing of the owner is sent to them since.',
  })
  @Property({ type: 'datetime', nullable: true })
  unsubscribedAt?: Date | null;
}
