import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/** Stands for the page's nonce in the built index.html (web/vite.config.ts, html.cspNonce). */
export const CSP_NONCE_PLACEHOLDER = '__CSP_NONCE__';

/** This response's CSP nonce, fresh for every request. */
export const cspNonceOf = (res: Response): string => res.locals.cspNonce as string;

const nonceOf = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${cspNonceOf(res as Response)}'`;

/** Apollo's landing page (GET /graphql from a browser) is Apollo's hosted Sandbox: its own scripts, from its own CDN. */
const isLandingPage = (req: Request) => req.method === 'GET' && req.path === '/graphql' && req.accepts('html') === 'html';

/**
 * helmet's headers on every answer, with a content security policy the built web app passes:
 * its scripts, styles, fonts and GraphQL calls come from this origin only.
 */
export function securityHeaders(): RequestHandler[] {
  const nonce: RequestHandler = (_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  };
  const policy = helmet.contentSecurityPolicy({
    directives: {
      // PrimeVue adds its theme as <style> tags at run time; they carry the page's nonce
      // (web/src/main.ts), so inline styles need no 'unsafe-inline'.
      styleSrc: ["'self'", nonceOf],
      fontSrc: ["'self'"],
      // papaparse reads CSV files in a worker it makes from a blob: URL (web/src/recipients/csv-file.ts);
      // only a script already running in the page can make one.
      workerSrc: ["'self'", 'blob:'],
      frameAncestors: ["'none'"],
      // The app may be served over plain HTTP (docker compose on localhost); behind HTTPS, HSTS applies.
      upgradeInsecureRequests: null,
    },
  });
  const csp: RequestHandler = (req, res, next) => (isLandingPage(req) ? next() : policy(req, res, next));
  return [nonce, helmet({ contentSecurityPolicy: false, frameguard: { action: 'deny' } }), csp];
}
