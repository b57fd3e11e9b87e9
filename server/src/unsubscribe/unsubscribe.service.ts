import type { EntityManager } from '@mikro-orm/postgresql';
import { Recipient } from '../recipients/recipient.entity';
import type { UnsubscribeTarget } from './unsubscribe-token';

/** A recipient's subscription to their owner's mailings, as an unsubscribe link sees it. */
export interface Subscription {
  unsubscribedAt: Date | null;
}

/**
 * What an unsubscribe link does, for whoever holds it (no login): it acts only on the
 * recipient it names, and only while that recipient still belongs to the owner it names.
 * Null when there is no such recipient (deleted, or never was).
 */
export class UnsubscribeService {
  constructor(private readonly em: EntityManager) {}

  async state(target: UnsubscribeTarget): Promise<Subscription | null> {
    const recipient = await this.find(target);
    return recipient && { unsubscribedAt: recipient.unsubscribedAt ?? null };
  }

  /** Unsubscribes at once; unsubscribing again keeps the first date. */
  unsubscribe(target: UnsubscribeTarget): Promise<Subscription | null> {
    return this.change(target, (recipient) => {
      recipient.unsubscribedAt ??= new Date();
    });
  }

  /** Undoes an unsubscribe: the owner's mailings reach the recipient again from their next attempt. */
  resubscribe(target: UnsubscribeTarget): Promise<Subscription | null> {
    return this.change(target, (recipient) => {
      recipient.unsubscribedAt = null;
    });
  }

  private async change(target: UnsubscribeTarget, apply: (recipient: Recipient) => void): Promise<Subscription | null> {
    const recipient = await this.find(target);
    if (!recipient) return null;
    apply(recipient);
    await this.em.flush();
    return { unsubscribedAt: recipient.unsubscribedAt ?? null };
  }

  private find({ ownerId, recipientId }: UnsubscribeTarget): Promise<Recipient | null> {
    return this.em.findOne(Recipient, { id: recipientId, owner: ownerId });
  }
}
