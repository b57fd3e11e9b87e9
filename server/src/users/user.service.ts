import type { FilterQuery } from '@mikro-orm/core';
import type { Context } from '../context';
import { findInScope } from '../common/find';
import { actor } from '../context';
import { badInput, forbidden } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { likePattern, type Page } from '../common/pagination';
import { Session } from '../auth/session.entity';
import { hashPassword } from '../auth/passwords';
import { Mailing } from '../mailings/mailing.entity';
import { Role, User } from './user.entity';
import type { UserInput, UserListArgs, UserUpdateInput } from './user.inputs';
import { normalizeEmail } from './user.validation';

const constraintMessages = {
  users_email_unique: { field: 'email', message: 'An account with this email already exists.' },
};

/** Account administration: staff read and block, admins create, edit and delete. */
export class UserService {
  constructor(private readonly ctx: Context) {}

  async list({ offset, limit, search, role, blocked }: UserListArgs): Promise<Page<User>> {
    const where: FilterQuery<User> = {};
    if (role) where.role = role;
    if (blocked != null) where.blocked = blocked;
    if (search) {
      const like = likePattern(search);
      where.$or = [{ email: { $ilike: like } }, { fullName: { $ilike: like } }, { phone: { $ilike: like } }];
    }
    const [items, total] = await this.ctx.em.findAndCount(User, where, {
      orderBy: { createdAt: 'desc', id: 'asc' },
      offset,
      limit,
    });
    return { items, total, offset, limit };
  }

  async get(id: string): Promise<User> {
    return findInScope(this.ctx.em, User, id);
  }

  async create(input: UserInput): Promise<User> {
    const user = this.ctx.em.create(User, {
      email: normalizeEmail(input.email),
      passwordHash: await hashPassword(input.password),
      fullName: input.fullName.trim(),
      phone: input.phone.trim(),
      country: input.country.trim(),
      role: input.role,
      emailVerifiedAt: new Date(),
    });
    await withConstraintErrors(() => this.ctx.em.flush(), constraintMessages);
    return user;
  }

  async update(id: string, input: UserUpdateInput): Promise<User> {
    const user = await this.get(id);
    if (input.role != null && input.role !== user.role && user.id === actor(this.ctx).id) {
      throw badInput('role', 'You cannot change your own role.');
    }
    if (input.email != null) user.email = normalizeEmail(input.email);
    if (input.fullName != null) user.fullName = input.fullName.trim();
    if (input.phone != null) user.phone = input.phone.trim();
    if (input.country != null) user.country = input.country.trim();
    if (input.avatarUrl !== undefined) user.avatarUrl = input.avatarUrl?.trim() || null;
    if (input.role != null) user.role = input.role;
    await withConstraintErrors(() => this.ctx.em.flush(), constraintMessages);
    return user;
  }

  /** Deletes the account with all its data (by foreign keys) and cancels its mailings' jobs; returns its id. */
  async delete(id: string): Promise<string> {
    if (id === actor(this.ctx).id) throw badInput('id', 'You cannot delete your own account.');
    const user = await this.get(id);
    const mailings = await this.ctx.em.find(Mailing, { owner: user }, { fields: ['id'] });
    await this.ctx.em.remove(user).flush();
    for (const mailing of mailings) await this.ctx.app.scheduler.mailingRemoved(mailing.id);
    return id;
  }

  /** Blocking ends the account's sessions at once; a manager cannot block or unblock an admin. */
  async setBlocked(id: string, blocked: boolean): Promise<User> {
    const me = actor(this.ctx);
    if (blocked && id === me.id) throw badInput('id', 'You cannot block your own account.');
    const user = await this.get(id);
    if (user.role === Role.ADMIN && me.role !== Role.ADMIN) {
      throw forbidden('Managers cannot block or unblock admins.');
    }
    user.blocked = blocked;
    await this.ctx.em.flush();
    if (blocked) await this.ctx.em.nativeDelete(Session, { user });
    return user;
  }
}
