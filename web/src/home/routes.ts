import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'home',
    component: () => import('./HomePage.vue'),
    meta: { title: 'Home', nav: { label: 'Home', icon: 'pi pi-home', order: 10 } },
  },
];
