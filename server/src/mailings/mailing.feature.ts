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
  // Not its runs nor progress (live while sending), nor its recipients (unsubscribing changes them).
  answerFields: {
    Query: ['mailings', 'mailing'],
    MailingPage: ['items', 'total', 'offset', 'limit'],
    Mailing: ['id', 'createdAt', 'updatedAt', 'status', 'paused', 'disabled', 'startAt', 'endAt', 'recipientCount', 'editableFields', 'message', 'owner'],
  },
} satisfies Feature<MailingDeps>;
