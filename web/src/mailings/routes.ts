import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  {
    path: '/mailings',
    name: 'mailings',
    component: () => import('./MailingsPage.vue'),
    meta: { title: 'Mailings', nav: { label: 'Mailings', icon: 'pi pi-send', order: 40 } },
  },
  // Only owners create and edit mailings; managers and admins oversee them.
  { path: '/mailings/new', name: 'mailing-new', component: () => import('./MailingFormPage.vue'), meta: { title: 'New mailing', roles: ['USER'] } },
  { path: '/mailings/:id/edit', name: 'mailing-edit', component: () => import('./MailingFormPage.vue'), meta: { title: 'Edit mailing', roles: ['USER'] } },
  { path: '/mailings/:id', name: 'mailing', component: () => import('./MailingPage.vue'), meta: { title: 'Mailing' } },
];
