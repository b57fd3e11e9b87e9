import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import { conflict } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { findInScope } from '../common/find';
import { findPage, matchingAny, type Page, type PageArgs } from '../common/pagination';
import { readScope, writeScope } from '../common/scope';
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
    await this.em.flush();
    return message;
  }

  async update(actor: Actor, id: string, input: MessageUpdateInput): Promise<Message> {
    const message = await this.owned(actor, id);
    if (input.subject != null) message.subject = input.subject.trim();
    if (input.body != null) message.body = input.body;
    if (input.format != null) message.format = input.format;
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

  private owned(actor: Actor, id: string): Promise<Message> {
    return findInScope(this.em, Message, id, writeScope(actor));
  }
}
