import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import type { SenderSettings } from '../config';
import { badInput, conflict } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { findInScope } from '../common/find';
import { findPage, matchingAny, type Page, type PageArgs } from '../common/pagination';
import { readScope, writeScope } from '../common/scope';
import { fromAddressAllowed } from '../rules';
import { User } from '../users/user.entity';
import { Message } from './message.entity';
import type { MessageInput, MessageUpdateInput } from './message.inputs';

/** Whether something still uses a message; a message in use is not deleted (the mailings feature answers). */
export interface MessageUsage {
  /** Why the message cannot be deleted now, or null when nothing uses it. */
  refusalToDelete(em: EntityManager, messageId: string): Promise<string | null>;
}

export class MessageService {
  constructor(
    private readonly em: EntityManager,
    private readonly usage: MessageUsage,
    private readonly sender: SenderSettings,
  ) {}

  list(actor: Actor, { offset, limit, search }: PageArgs): Promise<Page<Message>> {
    const where = { ...readScope(actor), ...matchingAny<Message>(['subject', 'body'], search) };
    return findPage(this.em, Message, where, { offset, limit }, { createdAt: 'desc', id: 'asc' });
  }

  get(actor: Actor, id: string): Promise<Message> {
    return findInScope(this.em, Message, id, readScope(actor));
  }

  async create(actor: Actor, input: MessageInput): Promise<Message> {
    const message = this.em.create(Message, {
      subject: input.subject.trim(),
      body: input.body,
      format: input.format,
      owner: this.em.getReference(User, actor.id),
    });
    this.setSender(message, input);
    await this.em.flush();
    return message;
  }

  async update(actor: Actor, id: string, input: MessageUpdateInput): Promise<Message> {
    const message = await this.owned(actor, id);
    if (input.subject != null) message.subject = input.subject.trim();
    if (input.body != null) message.body = input.body;
    if (input.format != null) message.format = input.format;
    this.setSender(message, input);
    await this.em.flush();
    return message;
  }

  /** Refused while something uses the message: mailings keep what they send. */
  async delete(actor: Actor, id: string): Promise<string> {
    const message = await this.owned(actor, id);
    const refusal = await this.usage.refusalToDelete(this.em, message.id);
    if (refusal) throw conflict(refusal);
    // A mailing created meanwhile is caught by the foreign key.
    await withConstraintErrors(() => this.em.remove(message).flush(), {
      mailings_message_id_foreign: {
        message: 'A mailing has just started using this message. Delete it or give it another message first.',
      },
    });
    return id;
  }

  /** The sender fields given: '' puts the default back; a From address outside the allowed domains is refused. */
  private setSender(message: Message, input: Pick<MessageUpdateInput, 'fromName' | 'fromAddress' | 'replyTo'>): void {
    const fromAddress = input.fromAddress?.trim();
    if (fromAddress && !fromAddressAllowed(fromAddress, this.sender)) {
      const { address, allowedDomains } = this.sender;
      throw badInput(
        'fromAddress',
        allowedDomains.length
          ? `From address must be at ${allowedDomains.join(', ')}, or empty for ${address}.`
          : `This server sends only from ${address}: leave From address empty.`,
      );
    }
    if (input.fromName != null) message.fromName = input.fromName.trim() || null;
    if (fromAddress != null) message.fromAddress = fromAddress || null;
    if (input.replyTo != null) message.replyTo = input.replyTo.trim() || null;
  }

  private owned(actor: Actor, id: string): Promise<Message> {
    return findInScope(this.em, Message, id, writeScope(actor));
  }
}
