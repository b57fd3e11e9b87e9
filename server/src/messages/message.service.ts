import type { FilterQuery } from '@mikro-orm/core';
import type { Context } from '../context';
import { findInScope } from '../common/find';
import { actor } from '../context';
import { conflict } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { likePattern, type Page, type PageArgs } from '../common/pagination';
import { readScope, writeScope } from '../common/scope';
import { Mailing } from '../mailings/mailing.entity';
import { Message } from './message.entity';
import type { MessageInput, MessageUpdateInput } from './message.inputs';

const usedBy = (count: number) =>
  `This message is used by ${count} mailing${count === 1 ? '' : 's'}. ` +
  'Delete those mailings or give them another message first.';

export class MessageService {
  constructor(private readonly ctx: Context) {}

  async list({ offset, limit, search }: PageArgs): Promise<Page<Message>> {
    const where: FilterQuery<Message> = { ...readScope(actor(this.ctx)) };
    if (search) {
      const like = likePattern(search);
      where.$or = [{ subject: { $ilike: like } }, { body: { $ilike: like } }];
    }
    const [items, total] = await this.ctx.em.findAndCount(Message, where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      offset,
      limit,
    });
    return { items, total, offset, limit };
  }

  async get(id: string): Promise<Message> {
    return findInScope(this.ctx.em, Message, id, readScope(actor(this.ctx)));
  }

  async create(input: MessageInput): Promise<Message> {
    const message = this.ctx.em.create(Message, {
      subject: input.subject.trim(),
      body: input.body,
      owner: actor(this.ctx),
    });
    await this.ctx.em.flush();
    return message;
  }

  async update(id: string, input: MessageUpdateInput): Promise<Message> {
    const message = await this.owned(id);
    if (input.subject != null) message.subject = input.subject.trim();
    if (input.body != null) message.body = input.body;
    await this.ctx.em.flush();
    return message;
  }

  /** Refused while a mailing uses the message: mailings keep what they send. */
  async delete(id: string): Promise<string> {
    const message = await this.owned(id);
    const mailings = await this.ctx.em.count(Mailing, { message });
    if (mailings > 0) throw conflict(usedBy(mailings));
    // A mailing created meanwhile is caught by the foreign key.
    await withConstraintErrors(() => this.ctx.em.remove(message).flush(), {
      mailings_message_id_foreign: {
        message: 'A mailing has just started using this message. Delete it or give it another message first.',
      },
    });
    return id;
  }

  private async owned(id: string): Promise<Message> {
    return findInScope(this.ctx.em, Message, id, writeScope(actor(this.ctx)));
  }
}
