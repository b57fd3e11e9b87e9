import type { FilterQuery } from '@mikro-orm/core';
import type { Context } from '../context';
import { actor } from '../context';
import { withConstraintErrors } from '../common/db-errors';
import { findInScope } from '../common/find';
import { likePattern, type Page, type PageArgs } from '../common/pagination';
import { readScope, writeScope } from '../common/scope';
import { Recipient } from './recipient.entity';
import type { RecipientInput, RecipientUpdateInput } from './recipient.inputs';
import { importRecipients } from './recipient-import';
import type { RecipientImportResult, RecipientImportRow } from './recipient-import.types';

const constraintMessages = {
  recipients_owner_email_unique: { field: 'email', message: 'You already have a recipient with this email.' },
};

export class RecipientService {
  constructor(private readonly ctx: Context) {}

  async list({ offset, limit, search }: PageArgs): Promise<Page<Recipient>> {
    const where: FilterQuery<Recipient> = { ...readScope(actor(this.ctx)) };
    if (search) {
      const like = likePattern(search);
      where.$or = [{ email: { $ilike: like } }, { fullName: { $ilike: like } }, { comment: { $ilike: like } }];
    }
    const [items, total] = await this.ctx.em.findAndCount(Recipient, where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      offset,
      limit,
    });
    return { items, total, offset, limit };
  }

  async get(id: string): Promise<Recipient> {
    return findInScope(this.ctx.em, Recipient, id, readScope(actor(this.ctx)));
  }

  async create(input: RecipientInput): Promise<Recipient> {
    const user = actor(this.ctx);
    const recipient = this.ctx.em.create(Recipient, {
      ...input,
      email: input.email.trim().toLowerCase(),
      owner: user,
    });
    await withConstraintErrors(() => this.ctx.em.flush(), constraintMessages);
    return recipient;
  }

  /** Upserts many rows by email; bad rows are skipped with a reason (see recipient-import.ts). */
  import(rows: RecipientImportRow[]): Promise<RecipientImportResult> {
    return importRecipients(this.ctx.em, writeScope(actor(this.ctx)).owner, rows);
  }

  async update(id: string, input: RecipientUpdateInput): Promise<Recipient> {
    const recipient = await this.owned(id);
    // null and absent both mean "leave unchanged".
    if (input.email != null) recipient.email = input.email.trim().toLowerCase();
    if (input.fullName != null) recipient.fullName = input.fullName;
    if (input.comment != null) recipient.comment = input.comment;
    await withConstraintErrors(() => this.ctx.em.flush(), constraintMessages);
    return recipient;
  }

  /** Deleting a recipient removes it from mailings; past deliveries keep its address. */
  async delete(id: string): Promise<string> {
    const recipient = await this.owned(id);
    await this.ctx.em.remove(recipient).flush();
    return id;
  }

  private async owned(id: string): Promise<Recipient> {
    return findInScope(this.ctx.em, Recipient, id, writeScope(actor(this.ctx)));
  }
}
