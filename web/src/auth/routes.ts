import type { RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./LoginPage.vue'), meta: { public: true, title: 'Log in' } },
  {
    path: '/register',
    name: 'register',
    component: () => import('./RegisterPage.vue'),
    meta: { public: true, title: 'Create an account' },
  },
  // The verification and reset mails link to these two paths (server/src/auth/mails.ts).
  {
    path: '/verify-email',
    name: 'verify-email',
    component: () => import('./VerifyEmailPage.vue'),
    meta: { public: true, title: 'Confirm your email' },
  },
  {
    path: '/reset-password',
    name: 'reset-password',
    component: () => import('./ResetPasswordPage.vue'),
    meta: { public: true, title: 'Choose a new password' },
  },
  {
    path: '/forgot-password',
    name: 'forgot-password',
    component: () => import('./ForgotPasswordPage.vue'),
    meta: { public: true, title: 'Reset your password' },
  },
  { path: '/profile', name: 'profile', component: () => import('./ProfilePage.vue'), meta: { title: 'Profile' } },
];
