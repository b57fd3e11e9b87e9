import type { Feature } from '../common/feature';
import { authPermissions } from './auth.permissions';
import { AuthResolver } from './auth.resolver';
import type { AuthDeps } from './auth.service';
import { UserToken } from './user-token.entity';

export const authFeature = {
  entities: [UserToken],
  resolvers: [AuthResolver],
  permissions: authPermissions,
  // One-time tokens are in no cached answer; a session is cached with its user's reads (current-user.ts), and ended with a change of the user or by logout, which invalidates them.
  cacheRules: [],
} satisfies Feature<AuthDeps>;
