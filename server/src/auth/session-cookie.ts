import type { CookieOptions } from 'express';
import type { Context } from '../context';
import { SESSION_COOKIE } from './current-user';

function cookieOptions(ctx: Context): CookieOptions {
  const { COOKIE_SECURE, NODE_ENV } = ctx.app.config;
  return { httpOnly: true, sameSite: 'lax', secure: COOKIE_SECURE ?? NODE_ENV === 'production', path: '/' };
}

export function setSessionCookie(ctx: Context, token: string, expiresAt: Date): void {
  ctx.res.cookie(SESSION_COOKIE, token, { ...cookieOptions(ctx), maxAge: expiresAt.getTime() - Date.now() });
}

export function clearSessionCookie(ctx: Context): void {
  ctx.res.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
}
