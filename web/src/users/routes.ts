import type { RouteRecordRaw } from 'vue-router';

const STAFF = ['MANAGER', 'ADMIN'] as const;

export const routes: RouteRecordRaw[] = [
  {
    path: '/users',
    name: 'users',
    component: () => import('./UsersPage.vue'),
    meta: { title: 'Users', roles: STAFF, nav: { label: 'Users', icon: 'pi pi-users', order: 60 } },
  },
  {
    path: '/users/:id',
    name: 'user',
    component: () => import('./UserPage.vue'),
    meta: { title: 'User', roles: STAFF },
  },
];
