import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageUsage } from '../messages/message.service';
import type { AccountBlocking, AccountDeletion, AccountHooks } from '../users/user.service';
import { Mailing, MailingStatus } from './mailing.entity';
import type { MailingPlanner } from './mailing-planner';

const usedBy = (count: number) =>
  `This message is used by ${count} mailing${count === 1 ? '' : 's'}. ` +
  'Delete those mailings or give them another message first.';

/** A message stays while mailings send it. */
export const mailingsUsingMessage: MessageUsage = {
  async refusalToDelete(em: EntityManager, messageId: string) {
    const count = await em.count(Mailing, { message: messageId });
    return count > 0 ? usedBy(count) : null;
  },
};

/** A deleted account's mailings go with it by foreign key; their planned sending is cancelled once they are gone. */
function cancelPlansOfDeletedAccount(planner: MailingPlanner): AccountDeletion {
  return {
    async prepare(em: EntityManager, ownerId: string) {
      const mailings = await em.find(Mailing, { owner: ownerId }, { fields: ['id'] });
      return async () => {
        for (const mailing of mailings) await planner.mailingRemoved(mailing.id);
      };
    },
  };
}

/**
 * A blocked account's mailings send nothing (the sending engine reads the block); blocking
 * and unblocking re-plan them, so their scheduled start stays and they go on once unblocked.
 */
function replanMailingsOfBlockedAccount(planner: MailingPlanner): AccountBlocking {
  return {
    async blockedChanged(em: EntityManager, ownerId: string) {
      const mailings = await em.find(Mailing, { owner: ownerId, status: { $ne: MailingStatus.FINISHED } }, { fields: ['id'] });
      for (const mailing of mailings) await planner.mailingSaved(mailing.id);
    },
  };
}

/** What account administration needs from mailings. */
export function accountHooks(planner: MailingPlanner): AccountHooks {
  return { accountDeletion: cancelPlansOfDeletedAccount(planner), accountBlocking: replanMailingsOfBlockedAccount(planner) };
}
