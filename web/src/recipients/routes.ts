import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  {
    path: '/recipients',
    name: 'recipients',
    component: () => import('./RecipientsPage.vue'),
    meta: { title: 'Recipients', nav: { label: 'Recipients', icon: 'pi pi-address-book', order: 20 } },
  },
  {
    path: '/recipients/import',
    name: 'recipient-import',
    component: () => import('./RecipientImportPage.vue'),
    meta: { title: 'Import recipients', roles: ['USER'] },
  },
];
