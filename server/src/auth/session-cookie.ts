import type { CookieOptions, Response } from 'express';
import type { Config } from '../config';
import { SESSION_COOKIE } from './current-user';

type CookieConfig = Pick<Config, 'COOKIE_SECURE' | 'NODE_ENV'>;

function cookieOptions({ COOKIE_SECURE, NODE_ENV }: CookieConfig): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: COOKIE_SECURE ?? NODE_ENV === 'production', path: '/' };
}

export function setSessionCookie(res: Response, config: CookieConfig, token: string, expiresAt: Date): void {
  res.cookie(SESSION_COOKIE, token, { ...cookieOptions(config), maxAge: expiresAt.getTime() - Date.now() });
}

export function clearSessionCookie(res: Response, config: CookieConfig): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(config));
}
