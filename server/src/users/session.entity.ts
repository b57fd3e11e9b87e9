import { Entity, Index, ManyToOne, Property, Unique } from '@mikro-orm/core';
import { BaseEntity } from '../common/base.entity';
import { User } from './user.entity';

/** A login. The token itself is never stored, only its SHA-256. */
@Entity({ tableName: 'sessions' })
export class Session extends BaseEntity {
  @Property({ type: 'string', length: 64 })
  @Unique({ name: 'sessions_token_hash_unique' })
  tokenHash!: string;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  @Index()
  user!: User;

  @Property({ type: 'datetime' })
  expiresAt!: Date;
}
