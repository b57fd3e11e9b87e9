import { cacheRule, type Feature } from '../common/feature';
import { Session } from './session.entity';
import { User } from './user.entity';
import { userPermissions } from './user.permissions';
import { UserResolver, type UserDeps } from './user.resolver';

export const userFeature = {
  entities: [User, Session],
  resolvers: [UserResolver],
  permissions: userPermissions,
  cacheRules: [cacheRule(User, (user) => user.id)],
  answerFields: {
    User: ['id', 'createdAt', 'updatedAt', 'email', 'fullName', 'phone', 'country', 'avatarUrl', 'role', 'blocked', 'emailVerifiedAt'],
  },
} satisfies Feature<UserDeps>;
