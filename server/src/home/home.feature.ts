import type { Feature } from '../common/feature';
import { homePermissions } from './home.permissions';
import { HomeResolver, type HomeDeps } from './home.resolver';

export const homeFeature = {
  entities: [],
  resolvers: [HomeResolver],
  permissions: homePermissions,
  cacheRules: [],
  answerFields: { Query: ['home'], HomeFigures: ['totalMailings', 'activeMailings', 'uniqueRecipients'] },
} satisfies Feature<HomeDeps>;
