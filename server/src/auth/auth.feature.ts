import type { Feature } from '../common/feature';
import { authPermissions } from './auth.permissions';
import { AuthResolver } from './auth.resolver';
import type { AuthDeps } from './auth.service';
import { UserToken } from './user-token.entity';

export const authFeature = {
  entities: [UserToken],
  resolvers: [AuthResolver],
  permissions: authPermissions,
  // Sessions and one-time tokens are in no cached answer.
  cacheRules: [],
} satisfies Feature<AuthDeps>;
