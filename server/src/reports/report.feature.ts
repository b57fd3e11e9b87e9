import type { Feature } from '../common/feature';
import { reportPermissions } from './report.permissions';
import { ReportResolver } from './report.resolver';
import { MailingRunsResolver } from './mailing-runs.resolver';
import { DeliveryDailyResolver } from './delivery-daily.resolver';

export const reportFeature = {
  entities: [],
  resolvers: [ReportResolver, MailingRunsResolver, DeliveryDailyResolver],
  permissions: reportPermissions,
  cacheRules: [],
} satisfies Feature;
