import { cacheRule, ownerColumn, type Feature } from '../common/feature';
import { Mailing } from './mailing.entity';
import { mailingPermissions } from './mailing.permissions';
import { MailingResolver } from './mailing.resolver';
import type { MailingDeps } from './mailing.service';
import { MessageMailingsResolver } from './message-mailings.resolver';

/** The owner of a mailing, for the cache rules of rows that belong to one. */
export const mailingOwner = ownerColumn('mailings');

export const mailingFeature = {
  entities: [Mailing],
  resolvers: [MailingResolver, MessageMailingsResolver],
  permissions: mailingPermissions,
  // A change to a mailing's recipient set counts as a change to the mailing.
  cacheRules: [cacheRule(Mailing, mailingOwner)],
} satisfies Feature<MailingDeps>;
