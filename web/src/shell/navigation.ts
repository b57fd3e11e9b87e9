import { computed } from 'vue';
import { useRoute, useRouter, type RouteLocationRaw } from 'vue-router';
import { currentUser } from '@/auth/session';
import { roleMayOpen } from './access';

export interface NavItem {
  label: string;
  icon: string;
  to: RouteLocationRaw;
  /** The current page is this section or one of its pages (`/mailings/42` belongs to Mailings). */
  active: boolean;
}

function inSection(currentPath: string, sectionPath: string): boolean {
  if (sectionPath === '/') return currentPath === '/';
  return currentPath === sectionPath || currentPath.startsWith(`${sectionPath}/`);
}

/** The sidebar: every route with `meta.nav` that the current user's role may open, in order. */
export function useNavigation() {
  const router = useRouter();
  const current = useRoute();
  return computed<NavItem[]>(() => {
    const user = currentUser.value;
    if (!user) return [];
    return router
      .getRoutes()
      .filter((route) => route.meta.nav && route.name && roleMayOpen(route.meta, user.role))
      .sort((a, b) => a.meta.nav!.order - b.meta.nav!.order)
      .map((route) => ({
        label: route.meta.nav!.label,
        icon: route.meta.nav!.icon,
        to: { name: route.name! },
        active: inSection(current.path, route.path),
      }));
  });
}
