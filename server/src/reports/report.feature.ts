import type { Feature } from '../common/feature';
import { reportPermissions } from './report.permissions';
import { ReportResolver, type ReportDeps } from './report.resolver';
import { MailingRunsResolver } from './mailing-runs.resolver';
import { DeliveryDailyResolver } from './delivery-daily.resolver';

export const reportFeature = {
  entities: [],
  resolvers: [ReportResolver, MailingRunsResolver, DeliveryDailyResolver],
  permissions: reportPermissions,
  cacheRules: [],
  // A closed attempt's deliveries no longer change; a running one's answer sets liveData.
  answerFields: {
    Query: ['attemptDeliveries'],
    DeliveryPage: ['items', 'total', 'offset', 'limit'],
    Delivery: ['id', 'createdAt', 'updatedAt', 'email', 'fullName', 'status', 'tries', 'response', 'messageId', 'sentAt', 'mayHaveArrivedTwice'],
  },
} satisfies Feature<ReportDeps>;
