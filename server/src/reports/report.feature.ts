import type { Feature } from '../common/feature';
import { reportPermissions } from './report.permissions';
import { ReportResolver } from './report.resolver';

export const reportFeature = {
  entities: [],
  resolvers: [ReportResolver],
  permissions: reportPermissions,
  cacheRules: [],
} satisfies Feature;
