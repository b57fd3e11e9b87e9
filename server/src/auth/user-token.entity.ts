import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../common/base.entity';
import { User } from '../users/user.entity';

export enum UserTokenKind {
  VERIFY_EMAIL = 'VERIFY_EMAIL',
  RESET_PASSWORD = 'RESET_PASSWORD',
}

/** A one-time token mailed to a user (email verification, password reset); stored hashed. */
@Entity({ tableName: 'user_tokens' })
export class UserToken extends BaseEntity {
  @Enum({ items: () => UserTokenKind, nativeEnumName: 'user_token_kind' })
  kind!: UserTokenKind;

  @Property({ type: 'string', length: 64 })
  @Unique({ name: 'user_tokens_token_hash_unique' })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  user!: User;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  usedAt?: Date | null;
}
