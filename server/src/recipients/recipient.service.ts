import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import { withConstraintErrors } from '../common/db-errors';
import { normalizeEmail } from '../common/email';
import { findInScope } from '../common/find';
import { findPage, matchingAny, type Page, type PageArgs } from '../common/pagination';
import { readScope, writeScope } from '../common/scope';
import { User } from '../users/user.entity';
import { recipientCsvChunks } from './recipient-export';
import { importRecipients } from './recipient-import';
import type { RecipientImportResult, RecipientImportRow } from './recipient-import.types';
import { Recipient } from './recipient.entity';
import type { RecipientInput, RecipientUpdateInput } from './recipient.inputs';

const constraintMessages = {
  recipients_owner_email_unique: { field: 'email', message: 'You already have a recipient with this email.' },
};

export class RecipientService {
  constructor(private readonly em: EntityManager) {}

  /** `unsubscribed`: true, only those who unsubscribed; false, only the others; absent, everyone. */
  list(actor: Actor, { offset, limit, search, unsubscribed }: PageArgs & { unsubscribed?: boolean | null }): Promise<Page<Recipient>> {
    const where = {
      ...readScope(actor),
      ...matchingAny<Recipient>(['email', 'fullName', 'comment'], search),
      ...(unsubscribed != null && { unsubscribedAt: unsubscribed ? { $ne: null } : null }),
    };
    return findPage(this.em, Recipient, where, { offset, limit }, { createdAt: 'desc', id: 'asc' });
  }

  get(actor: Actor, id: string): Promise<Recipient> {
    return findInScope(this.em, Recipient, id, readScope(actor));
  }

  async create(actor: Actor, input: RecipientInput): Promise<Recipient> {
    const recipient = this.em.create(Recipient, {
      ...input,
      email: normalizeEmail(input.email),
      owner: this.em.getReference(User, actor.id),
    });
    await withConstraintErrors(() => this.em.flush(), constraintMessages);
    return recipient;
  }

  /** Upserts many rows by email; bad rows are skipped with a reason (see recipient-import.ts). */
  import(actor: Actor, rows: RecipientImportRow[]): Promise<RecipientImportResult> {
    return importRecipients(this.em, writeScope(actor).owner, rows);
  }

  async update(actor: Actor, id: string, input: RecipientUpdateInput): Promise<Recipient> {
    const recipient = await this.owned(actor, id);
    // null and absent both mean "leave unchanged".
    if (input.email != null) recipient.email = normalizeEmail(input.email);
    if (input.fullName != null) recipient.fullName = input.fullName;
    if (input.comment != null) recipient.comment = input.comment;
    await withConstraintErrors(() => this.em.flush(), constraintMessages);
    return recipient;
  }

  /** Deleting a recipient removes it from mailings; past deliveries keep its address. */
  async delete(actor: Actor, id: string): Promise<string> {
    const recipient = await this.owned(actor, id);
    await this.em.remove(recipient).flush();
    return id;
  }

  /** The actor's recipients (everyone's for staff) matching `search`, as CSV chunks: the header, then a page of rows at a time. */
  exportCsv(actor: Actor, search: string): AsyncGenerator<string> {
    return recipientCsvChunks(this.em, readScope(actor).owner, search);
  }

  private owned(actor: Actor, id: string): Promise<Recipient> {
    return findInScope(this.em, Recipient, id, writeScope(actor));
  }
}
