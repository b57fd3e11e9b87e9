import { cacheRule, type Feature } from '../common/feature';
import { mailingOwner } from '../mailings/mailing.feature';
import { Attempt } from './attempt.entity';
import { Delivery } from './delivery.entity';
import { sendingPermissions } from './sending.permissions';
import { SendingResolver } from './sending.resolver';
import type { SendingDeps } from './sending.service';

export const sendingFeature = {
  entities: [Attempt, Delivery],
  resolvers: [SendingResolver],
  permissions: sendingPermissions,
  cacheRules: [
    cacheRule(Attempt, (attempt) => mailingOwner(attempt.mailing)),
    cacheRule(
      Delivery,
      (delivery) =>
        delivery.attempt.mailing?.owner?.id ?? {
          sql: 'select m.owner_id from attempts a join mailings m on m.id = a.mailing_id where a.id in (?)',
          id: delivery.attempt.id,
        },
    ),
  ],
} satisfies Feature<SendingDeps>;
