import type { Feature } from '../common/feature';
import { unsubscribeRoutes, type UnsubscribeRouteDeps } from './unsubscribe.routes';

/** One-click unsubscribe links (RFC 8058): plain HTTP routes; the state is Recipient.unsubscribedAt. */
export const unsubscribeFeature = {
  entities: [],
  resolvers: [],
  permissions: {},
  cacheRules: [],
  routes: unsubscribeRoutes,
} satisfies Feature<UnsubscribeRouteDeps>;
