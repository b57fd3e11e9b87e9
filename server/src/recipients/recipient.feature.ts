import { cacheRule, ownerColumn, type Feature } from '../common/feature';
import { Recipient } from './recipient.entity';
import { recipientPermissions } from './recipient.permissions';
import { RecipientResolver } from './recipient.resolver';
import { recipientRoutes, type RecipientRouteDeps } from './recipient.routes';

export const recipientFeature = {
  entities: [Recipient],
  resolvers: [RecipientResolver],
  permissions: recipientPermissions,
  cacheRules: [cacheRule(Recipient, ownerColumn('recipients'))],
  routes: recipientRoutes,
} satisfies Feature<RecipientRouteDeps>;
