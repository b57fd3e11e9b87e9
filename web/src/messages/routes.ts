import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  {
    path: '/messages',
    name: 'messages',
    component: () => import('./MessagesPage.vue'),
    meta: { title: 'Messages', nav: { label: 'Messages', icon: 'pi pi-envelope', order: 30 } },
  },
  // Only owners write and change messages; managers and admins read them in the list.
  { path: '/messages/new', name: 'message-new', component: () => import('./MessageFormPage.vue'), meta: { title: 'New message', roles: ['USER'] } },
  { path: '/messages/:id/edit', name: 'message-edit', component: () => import('./MessageFormPage.vue'), meta: { title: 'Edit message', roles: ['USER'] } },
];
