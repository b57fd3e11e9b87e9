import { rule } from 'graphql-shield';
import { Role } from './actor';
import { forbidden, unauthenticated } from './errors';
import type { RequestContext } from './request-context';

/** Role rules for graphql-shield; ownership is enforced in the services. */
export const isAuthenticated = rule({ cache: 'contextual' })((_p, _a, ctx: RequestContext) =>
  ctx.actor ? true : unauthenticated(),
);

const hasRole = (roles: Role[], what: string) =>
  rule({ cache: 'contextual' })((_p, _a, ctx: RequestContext) => {
    if (!ctx.actor) return unauthenticated();
    return roles.includes(ctx.actor.role) ? true : forbidden(`Only ${what} can do this.`);
  });

export const isUser = hasRole([Role.USER], 'regular users (owners of their data)');
export const isStaff = hasRole([Role.MANAGER, Role.ADMIN], 'managers and admins');
export const isAdmin = hasRole([Role.ADMIN], 'admins');
