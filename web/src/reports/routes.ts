import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  {
    path: '/reports',
    name: 'reports',
    component: () => import('./ReportsPage.vue'),
    meta: { title: 'Reports', nav: { label: 'Reports', icon: 'pi pi-chart-bar', order: 50 } },
  },
];
