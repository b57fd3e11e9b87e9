import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../common/actor';
import { findInScope, isUuid } from '../common/find';
import { badInput, conflict, notFound } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { findPage, likePattern, type Page } from '../common/pagination';
import { readScope, writeScope } from '../common/scope';
import type { AppCache } from '../cache/app-cache';
import { invalidateOwner } from '../cache/cache-invalidator';
import { cachedPage } from '../cache/cached';
import { Message } from '../messages/message.entity';
import { User } from '../users/user.entity';
import { Mailing } from './mailing.entity';
import type { MailingInput, MailingPageArgs, MailingUpdateInput } from './mailing.inputs';
import type { MailingPlanner } from './mailing-planner';
import { canEdit, pauseRefusal, type MailingField } from './mailing.rules';
import { pgArray } from '../common/pg-array';

/** The database's word on races between the checks below and the write. */
const constraintMessages = {
  mailings_end_after_start: { field: 'endAt', message: 'The end must be after the start.' },
  mailings_message_id_foreign: { field: 'messageId', message: 'This message was just deleted; pick another one.' },
  mailing_recipients_recipient_id_foreign: {
    field: 'recipientIds',
    message: 'One of these recipients was just deleted; pick the recipients again.',
  },
};

export interface MailingDeps {
  /** Told after every committed change, so sending follows (sending/scheduler.ts). */
  scheduler: MailingPlanner;
  cache: AppCache;
}

export class MailingService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: MailingDeps,
  ) {}

  /** Cached per reader until a write changes their mailings (cache/cached.ts). */
  list(actor: Actor, page: MailingPageArgs): Promise<Page<Mailing>> {
    const { offset, limit, search, status } = page;
    const args = { offset, limit, search, status };
    return cachedPage(this.deps.cache, this.em, actor, 'mailings.list', Mailing, args, () => this.listUncached(actor, page));
  }

  private listUncached(actor: Actor, { offset, limit, search, status }: MailingPageArgs): Promise<Page<Mailing>> {
    const where: FilterQuery<Mailing> = { ...readScope(actor) };
    if (status) where.status = status;
    if (search) where.message = { subject: { $ilike: likePattern(search) } };
    return findPage(this.em, Mailing, where, { offset, limit }, { createdAt: 'desc', id: 'asc' });
  }

  get(actor: Actor, id: string): Promise<Mailing> {
    return findInScope(this.em, Mailing, id, readScope(actor));
  }

  async create(actor: Actor, input: MailingInput): Promise<Mailing> {
    const owner = actor.id;
    checkWindow(input.startAt, input.endAt, true);
    checkAudience(input);
    const id = await this.write(async (em) => {
      const message = await lockOwnedMessage(em, input.messageId, owner);
      const mailing = em.create(Mailing, {
        startAt: input.startAt,
        endAt: input.endAt,
        message,
        owner: em.getReference(User, owner),
      });
      await em.flush();
      if (input.allRecipients) await setAllRecipients(em, mailing, owner);
      else await setRecipients(em, mailing, owner, input.recipientIds);
      return mailing.id;
    });
    await this.deps.scheduler.mailingSaved(id);
    return this.reload(id);
  }

  async update(actor: Actor, id: string, input: MailingUpdateInput): Promise<Mailing> {
    const owner = actor.id;
    if (!isUuid(id)) throw notFound('Mailing', id);
    checkAudience(input);
    const { disabled } = await this.write(async (em) => {
      // Locked so the sending engine cannot start it between the status check and the write.
      const mailing = await em.findOne(Mailing, { id, owner }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!mailing) throw notFound('Mailing', id);
      const changes = changedFields(mailing, input);
      const verdict = canEdit(mailing, changes);
      if (!verdict.allowed) throw conflict(verdict.reason, verdict.field);
      mailing.startAt = input.startAt ?? mailing.startAt;
      mailing.endAt = input.endAt ?? mailing.endAt;
      checkWindow(mailing.startAt, mailing.endAt, changes.includes('endAt'));
      if (input.messageId != null && changes.includes('messageId')) {
        mailing.message = await lockOwnedMessage(em, input.messageId, owner);
      }
      await em.flush();
      if (input.allRecipients) await setAllRecipients(em, mailing, owner);
      else if (input.recipientIds != null) await setRecipients(em, mailing, owner, input.recipientIds);
      return mailing;
    });
    // A disabled mailing is planned again only when a manager enables it.
    if (!disabled) await this.deps.scheduler.mailingSaved(id);
    return this.reload(id);
  }

  /** Deletes the mailing with its reports (any status) and cancels its scheduled sending. */
  async delete(actor: Actor, id: string): Promise<string> {
    const found = await findInScope(this.em, Mailing, id, writeScope(actor));
    // Paused first: its sending has stopped before its deliveries go.
    if (!found.paused) {
      found.paused = true;
      await this.em.flush();
      await this.deps.scheduler.mailingSaved(id);
    }
    await this.em.remove(found).flush();
    await this.deps.scheduler.mailingRemoved(id);
    return id;
  }

  /** The owner pauses the mailing (answering once nothing more of it is being sent) or resumes it. */
  async setPaused(actor: Actor, id: string, paused: boolean): Promise<Mailing> {
    const mailing = await findInScope(this.em, Mailing, id, writeScope(actor));
    const refusal = pauseRefusal(mailing);
    if (refusal) throw conflict(refusal);
    if (mailing.paused !== paused) {
      mailing.paused = paused;
      await this.em.flush();
    }
    await this.deps.scheduler.mailingSaved(id);
    return mailing;
  }

  /** A manager switches a mailing off (nothing is sent) or on again. */
  async setDisabled(actor: Actor, id: string, disabled: boolean): Promise<Mailing> {
    const mailing = await this.get(actor, id);
    mailing.disabled = disabled;
    await this.em.flush();
    if (disabled) await this.deps.scheduler.mailingRemoved(id);
    else await this.deps.scheduler.mailingSaved(id);
    return mailing;
  }

  /** Runs a write in its own transaction; the scheduler is told only after it commits. */
  private write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return withConstraintErrors(() => this.em.fork().transactional(work), constraintMessages);
  }

  /** The mailing as committed, read into this entity manager. */
  private reload(id: string): Promise<Mailing> {
    return this.em.findOneOrFail(Mailing, id, { refresh: true });
  }
}

function checkWindow(startAt: Date, endAt: Date, endChanged: boolean): void {
  if (endAt.getTime() <= startAt.getTime()) throw badInput('endAt', 'The end must be after the start.');
  if (endChanged && endAt.getTime() <= Date.now()) throw badInput('endAt', 'The end must be in the future.');
}

/** allRecipients names the audience by itself: no id list beside it. */
function checkAudience(input: { recipientIds?: string[]; allRecipients?: boolean }): void {
  if (input.allRecipients && input.recipientIds?.length) {
    throw badInput('recipientIds', 'Leave the recipient list empty when the mailing goes to all your recipients.');
  }
}

/** Fields the input really changes (a form may send unchanged values back). */
function changedFields(mailing: Mailing, input: MailingUpdateInput): MailingField[] {
  const changes: MailingField[] = [];
  if (input.startAt != null && input.startAt.getTime() !== mailing.startAt.getTime()) changes.push('startAt');
  if (input.endAt != null && input.endAt.getTime() !== mailing.endAt.getTime()) changes.push('endAt');
  if (input.messageId != null && input.messageId.toLowerCase() !== mailing.message.id) changes.push('messageId');
  if (input.recipientIds != null || input.allRecipients) changes.push('recipientIds');
  return changes;
}

/** The caller's message, share-locked so it cannot be deleted before the mailing commits. */
async function lockOwnedMessage(em: EntityManager, id: string, owner: string): Promise<Message> {
  const message = await em.findOne(Message, { id, owner }, { lockMode: LockMode.PESSIMISTIC_READ });
  if (!message) throw notFound('Message', id, 'messageId');
  return message;
}

/**
 * Makes a mailing's recipients every recipient the owner has now, however many: no row per
 * recipient is written, the mailing keeps the time (mailing_audience: the owner's recipients
 * created by then that still exist), so people added later do not join.
 */
async function setAllRecipients(em: EntityManager, mailing: Mailing, owner: string): Promise<void> {
  const [{ found }] = await em.execute<Array<{ found: boolean }>>(`select exists (select 1 from recipients where owner_id = ?) as found`, [owner]);
  if (!found) throw badInput('allRecipients', 'You have no recipients yet: add or import some first.');
  await em.execute('delete from mailing_recipients where mailing_id = ?', [mailing.id], 'run');
  mailing.allRecipientsAt = new Date();
  await em.flush();
  await invalidateOwner(em, owner);
}

/**
 * Replaces a mailing's recipients in two set-based statements (sets can be large).
 * Only the owner's recipients are inserted, so any id missing afterwards is not theirs.
 */
async function setRecipients(em: EntityManager, mailing: Mailing, owner: string, ids: string[]): Promise<void> {
  const mailingId = mailing.id;
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  mailing.allRecipientsAt = null;
  await em.flush();
  await em.execute('delete from mailing_recipients where mailing_id = ?', [mailingId], 'run');
  const inserted = await em.execute<Array<{ recipient_id: string }>>(
    `insert into mailing_recipients (mailing_id, recipient_id)
     select ?, r.id from recipients r where r.owner_id = ? and r.id = any(?::uuid[])
     returning recipient_id`,
    [mailingId, owner, pgArray(wanted)],
  );
  // Raw SQL passes the unit of work by: drop the owner's cached reads once this commits.
  await invalidateOwner(em, owner);
  if (inserted.length === wanted.length) return;
  const found = new Set(inserted.map((row) => row.recipient_id));
  const missing = wanted.find((id) => !found.has(id)) ?? wanted[0];
  throw notFound('Recipient', missing, 'recipientIds');
}
