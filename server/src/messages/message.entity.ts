import { Entity, Enum, Index, ManyToOne, Property, type Opt } from '@mikro-orm/core';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../common/base.entity';
import { User } from '../users/user.entity';

export enum MessageFormat {
  TEXT = 'TEXT',
  HTML = 'HTML',
}
registerEnumType(MessageFormat, {
  name: 'MessageFormat',
  description: 'TEXT: the body is plain text. HTML: the body is HTML; it goes out as multipart/alternative with a plain-text part made from it.',
});

@ObjectType({ description: 'The subject and body a mailing sends.' })
@Entity({ tableName: 'messages' })
export class Message extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 300 })
  subject!: string;

  @Field(() => String)
  @Property({ type: 'text' })
  body!: string;

  @Field(() => MessageFormat)
  @Enum({ items: () => MessageFormat, nativeEnumName: 'message_format', default: MessageFormat.TEXT })
  format: Opt<MessageFormat> = MessageFormat.TEXT;

  @Field(() => String, { nullable: true, description: "The From name; null: the owner's full name." })
  @Property({ type: 'string', length: 100, nullable: true })
  fromName?: string | null;

  @Field(() => String, { nullable: true, description: "The From address, in a domain the server allows (messageSender); null: the server's address." })
  @Property({ type: 'string', length: 320, nullable: true })
  fromAddress?: string | null;

  @Field(() => String, { nullable: true, description: "Where replies go; null: the owner's email." })
  @Property({ type: 'string', length: 320, nullable: true })
  replyTo?: string | null;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  owner!: User;
}
