import { rule } from 'graphql-shield';
import type { Context } from '../context';
import { Role } from '../users/user.entity';
import { forbidden, unauthenticated } from '../common/errors';

/** Role rules; ownership is enforced in the services. */
export const isAuthenticated = rule({ cache: 'contextual' })((_p, _a, ctx: Context) =>
  ctx.user ? true : unauthenticated(),
);

const hasRole = (roles: Role[], what: string) =>
  rule({ cache: 'contextual' })((_p, _a, ctx: Context) => {
    if (!ctx.user) return unauthenticated();
    return roles.includes(ctx.user.role) ? true : forbidden(`Only ${what} can do this.`);
  });

export const isUser = hasRole([Role.USER], 'regular users (owners of their data)');
export const isStaff = hasRole([Role.MANAGER, Role.ADMIN], 'managers and admins');
export const isAdmin = hasRole([Role.ADMIN], 'admins');
