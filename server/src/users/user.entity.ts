import { Entity, Enum, Index, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { Role } from '../common/actor';
import { BaseEntity } from '../common/base.entity';

@ObjectType()
@Entity({ tableName: 'users' })
export class User extends BaseEntity {
  @Field(() => String)
  @Property({ type: 'string', length: 320 })
  @Unique({ name: 'users_email_unique' })
  email!: string;

  @Property({ type: 'text', hidden: true, lazy: true })
  passwordHash!: string;

  @Field(() => String)
  @Property({ type: 'string', length: 200, default: '' })
  fullName: Opt<string> = '';

  @Field(() => String)
  @Property({ type: 'string', length: 40, default: '' })
  phone: Opt<string> = '';

  @Field(() => String)
  @Property({ type: 'string', length: 100, default: '' })
  country: Opt<string> = '';

  @Field(() => String, { nullable: true })
  @Property({ type: 'string', length: 2000, nullable: true })
  avatarUrl?: string | null;

  @Field(() => Role)
  @Enum({ items: () => Role, nativeEnumName: 'user_role', default: Role.USER })
  @Index()
  role: Opt<Role> = Role.USER;

  @Field(() => Boolean)
  @Property({ type: 'boolean', default: false })
  blocked: Opt<boolean> = false;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'datetime', nullable: true })
  emailVerifiedAt?: Date | null;
}
