import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../common/base.entity';
import { User } from '../users/user.entity';

@ObjectType({ description: 'The subject and body a mailing sends.' })
@Entity({ tableName: 'messages' })
export class Message extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 300 })
  subject!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  body!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  owner!: User;
}
