import { Field, ObjectType } from 'type-graphql';
import { User } from '../users/user.entity';

@ObjectType({ description: 'A new session: also set as an httpOnly cookie.' })
export class AuthPayload {
  @Field(() => String, { description: 'Send as `Authorization: Bearer <token>` when not using the cookie.' })
  token!: string;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => User)
  user!: User;
}
