import type { RouteRecordRaw } from 'vue-router';

/**
 * Pages of the shell itself. Both take any unknown path; "not-allowed" is only ever
 * reached by name (from the router's guard), so the address bar keeps the refused URL.
 */
export const routes: RouteRecordRaw[] = [
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./NotFoundPage.vue'),
    meta: { title: 'Page not found' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-allowed',
    component: () => import('./NotAllowedPage.vue'),
    meta: { title: 'Not allowed' },
  },
];
