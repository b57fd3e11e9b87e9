import type { RouteMeta } from 'vue-router';
import type { Role } from '@/graphql/generated';

declare module 'vue-router' {
  interface RouteMeta {
    /** The page's name: the document title becomes "<title> · <product>". */
    title?: string;
    /** For anonymous visitors only (log in, register, …); a logged-in user is sent home. */
    public?: boolean;
    /** Roles that may open the page; absent means any logged-in user. */
    roles?: readonly Role[];
    /** An entry in the sidebar, shown to the roles that may open the page. */
    nav?: { label: string; icon: string; order: number };
  }
}

/** Whether a logged-in user with this role may open a page with this meta. */
export function roleMayOpen(meta: RouteMeta, role: Role): boolean {
  return !meta.roles || meta.roles.includes(role);
}
