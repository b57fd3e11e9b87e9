import { LockMode, type ObjectQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Role, type Actor } from '../common/actor';
import { AppError, badInput, conflict, forbidden } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { normalizeEmail } from '../common/email';
import { findInScope } from '../common/find';
import { findPage, matchingAny, type Page } from '../common/pagination';
import { hashPassword } from './passwords';
import { Session } from './session.entity';
import { User } from './user.entity';
import type { ProfileInput, UserInput, UserListArgs, UserUpdateInput } from './user.inputs';

const constraintMessages = {
  users_email_unique: { field: 'email', message: 'An account with this email already exists.' },
};

/** What other features do when an account is deleted; its rows go with it by foreign key. */
export interface AccountDeletion {
  /** Runs before the account's rows go; the function it returns runs once they are gone. */
  prepare(em: EntityManager, userId: string): Promise<() => Promise<void>>;
}

/** What other features do when an account is blocked or unblocked: its mailings stop sending, then go on. */
export interface AccountBlocking {
  /** Runs once the change is committed. */
  blockedChanged(em: EntityManager, userId: string): Promise<void>;
}

/** The ports other features lend account administration (wired in app-deps.ts). */
export interface AccountHooks {
  accountDeletion: AccountDeletion;
  accountBlocking: AccountBlocking;
}

const LAST_ADMIN = 'This is the last active admin: make another account an admin first. Nothing changed.';

/** Account administration: staff read and block, admins create, edit and delete. */
export class UserService {
  constructor(
    private readonly em: EntityManager,
    private readonly hooks: AccountHooks,
  ) {}

  list({ offset, limit, search, role, blocked }: UserListArgs): Promise<Page<User>> {
    const where: ObjectQuery<User> = { ...matchingAny<User>(['email', 'fullName', 'phone'], search) };
    if (role) where.role = role;
    if (blocked != null) where.blocked = blocked;
    return findPage(this.em, User, where, { offset, limit }, { createdAt: 'desc', id: 'asc' });
  }

  get(id: string): Promise<User> {
    return findInScope(this.em, User, id);
  }

  async create(input: UserInput): Promise<User> {
    const user = this.em.create(User, {
      email: normalizeEmail(input.email),
      passwordHash: await hashPassword(input.password),
      fullName: input.fullName.trim(),
      phone: input.phone.trim(),
      country: input.country.trim(),
      role: input.role,
      emailVerifiedAt: new Date(),
    });
    await withConstraintErrors(() => this.em.flush(), constraintMessages);
    return user;
  }

  async update(actor: Actor, id: string, input: UserUpdateInput): Promise<User> {
    const user = await this.get(id);
    if (input.role != null && input.role !== user.role && user.id === actor.id) {
      throw badInput('role', 'You cannot change your own role.');
    }
    await this.em.transactional(async (em) => {
      if (input.role != null && input.role !== Role.ADMIN) await keepAnActiveAdmin(em, user, 'role');
      if (input.email != null) user.email = normalizeEmail(input.email);
      applyProfile(user, input);
      if (input.role != null) user.role = input.role;
      await withConstraintErrors(() => em.flush(), constraintMessages);
    });
    return user;
  }

  /** Deletes the account with all its data (by foreign keys); returns its id. */
  async delete(actor: Actor, id: string): Promise<string> {
    if (id === actor.id) throw badInput('id', 'You cannot delete your own account.');
    const user = await this.get(id);
    const afterDeletion = await this.em.transactional(async (em) => {
      await keepAnActiveAdmin(em, user, 'id');
      const after = await this.hooks.accountDeletion.prepare(em, user.id);
      await em.remove(user).flush();
      return after;
    });
    await afterDeletion();
    return id;
  }

  /**
   * Blocking ends the account's sessions at once and holds its mailings back (an attempt
   * being sent stops after the deliveries it already claimed); unblocking lets them go on
   * as planned. A manager cannot block or unblock an admin.
   */
  async setBlocked(actor: Actor, id: string, blocked: boolean): Promise<User> {
    if (blocked && id === actor.id) throw badInput('id', 'You cannot block your own account.');
    const user = await this.get(id);
    if (user.role === Role.ADMIN && actor.role !== Role.ADMIN) {
      throw forbidden('Managers cannot block or unblock admins.');
    }
    if (user.blocked === blocked) return user;
    await this.em.transactional(async (em) => {
      if (blocked) await keepAnActiveAdmin(em, user, 'id');
      user.blocked = blocked;
      await em.flush();
      if (blocked) await em.nativeDelete(Session, { user });
    });
    await this.hooks.accountBlocking.blockedChanged(this.em, user.id);
    return user;
  }

  /** Puts an existing account in the Managers group; false when it already was there. */
  async makeManager(email: string): Promise<boolean> {
    const normalized = normalizeEmail(email);
    const user = await this.em.findOne(User, { email: normalized });
    if (!user) {
      throw new AppError('NOT_FOUND', `No user with the email ${normalized}. Register the account (or have an admin create it) first.`, {
        entity: 'User',
      });
    }
    if (user.role === Role.MANAGER) return false;
    if (user.role === Role.ADMIN) throw conflict(`${normalized} is an admin; an admin is not made a manager. Nothing changed.`);
    user.role = Role.MANAGER;
    await this.em.flush();
    return true;
  }
}

/**
 * Refuses to take `user` out of the active admins (demote, block, delete) when no other
 * active admin would be left. Locks the admins' rows, so two admins cannot remove each
 * other at the same time.
 */
async function keepAnActiveAdmin(em: EntityManager, user: User, field: string): Promise<void> {
  if (user.role !== Role.ADMIN || user.blocked) return;
  const admins = await em.find(User, { role: Role.ADMIN }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!admins.some((admin) => admin.id !== user.id && !admin.blocked)) throw conflict(LAST_ADMIN, field);
}

/** Takes the profile fields the input gives (trimmed); null and absent leave a field as it is, "" clears the avatar. */
export function applyProfile(user: User, input: ProfileInput): void {
  if (input.fullName != null) user.fullName = input.fullName.trim();
  if (input.phone != null) user.phone = input.phone.trim();
  if (input.country != null) user.country = input.country.trim();
  if (input.avatarUrl !== undefined) user.avatarUrl = input.avatarUrl?.trim() || null;
}
