import { createRouter, createWebHistory } from 'vue-router';
import { loadSession } from '@/auth/session';

declare module 'vue-router' {
  interface RouteMeta {
    /** Only for anonymous visitors (a logged-in user is sent home). */
    anonymousOnly?: boolean;
  }
}

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/', name: 'home', component: () => import('@/pages/HomePage.vue') },
    {
      path: '/login',
      name: 'login',
      component: () => import('@/pages/LoginPage.vue'),
      meta: { anonymousOnly: true },
    },
    {
      path: '/register',
      name: 'register',
      component: () => import('@/pages/RegisterPage.vue'),
      meta: { anonymousOnly: true },
    },
    // The verification and reset mails link to these two paths (server/src/auth/mails.ts).
    {
      path: '/verify-email',
      name: 'verify-email',
      component: () => import('@/pages/VerifyEmailPage.vue'),
      meta: { anonymousOnly: true },
    },
    {
      path: '/reset-password',
      name: 'reset-password',
      component: () => import('@/pages/ResetPasswordPage.vue'),
      meta: { anonymousOnly: true },
    },
    {
      path: '/forgot-password',
      name: 'forgot-password',
      component: () => import('@/pages/ForgotPasswordPage.vue'),
      meta: { anonymousOnly: true },
    },
    { path: '/:unknown(.*)*', redirect: { name: 'home' } },
  ],
});

router.beforeEach(async (to) => {
  const user = await loadSession();
  if (to.meta.anonymousOnly) return user ? { name: 'home' } : true;
  if (user) return true;
  return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
});

/** Where to go after login: only a path inside this app, never another site. */
export function safeRedirect(target: unknown): string {
  return typeof target === 'string' && target.startsWith('/') && !target.startsWith('//') ? target : '/';
}
