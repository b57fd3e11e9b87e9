import type { Feature } from '../common/feature';
import { reportPermissions } from './report.permissions';
import { ReportResolver } from './report.resolver';
import { MailingRunsResolver } from './mailing-runs.resolver';

export const reportFeature = {
  entities: [],
  resolvers: [ReportResolver, MailingRunsResolver],
  permissions: reportPermissions,
  cacheRules: [],
} satisfies Feature;
