import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { loadSession, sessionUnknown } from '@/auth/session';
import { markApiReachable, onRetry } from '@/graphql/api-status';
import { roleMayOpen } from '@/shell/access';
import { PRODUCT_NAME } from '@/shell/product';

/**
 * Every feature folder brings its own `routes.ts` (`export const routes: RouteRecordRaw[]`);
 * nothing lists them here. Route meta (see shell/access.ts) drives the guard, the document
 * title and the sidebar.
 */
const featureRoutes = import.meta.glob<{ routes: RouteRecordRaw[] }>('./*/routes.ts', { eager: true });

export const router = createRouter({
  history: createWebHistory(),
  routes: Object.values(featureRoutes).flatMap((module) => module.routes),
});

router.beforeEach(async (to) => {
  const user = await loadSession();
  // The server cannot say who is logged in: the shell shows that, rather than the login page.
  if (sessionUnknown.value) return true;
  if (to.meta.public) return user ? { name: 'home' } : true;
  if (!user) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
  if (!roleMayOpen(to.meta, user.role)) {
    return { name: 'not-allowed', params: { pathMatch: to.path.slice(1).split('/') }, query: to.query, hash: to.hash };
  }
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} · ${PRODUCT_NAME}` : PRODUCT_NAME;
});

/** A page's code could not be fetched: the server that serves the app is gone too. */
const CHUNK_LOAD_FAILED = /dynamically imported module|Importing a module script failed/i;
let failedNavigation: string | undefined;

router.onError((error: unknown, to) => {
  if (!(error instanceof Error) || !CHUNK_LOAD_FAILED.test(error.message)) return;
  markApiReachable(false);
  failedNavigation = to.fullPath;
});

onRetry(async () => {
  const target = failedNavigation;
  failedNavigation = undefined;
  if (target) await router.push(target);
});

/** Where to go after login: only a path inside this app, never another site. */
export function safeRedirect(target: unknown): string {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : '/';
}
