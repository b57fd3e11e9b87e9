import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { isApiPath } from './http/api-paths';
import { CSP_NONCE_PLACEHOLDER, cspNonceOf } from './http/security-headers';

/** The built Vue app (`yarn workspace @mailing/web build`), beside the server package. */
const WEB_DIST = path.resolve(__dirname, '../../web/dist');

/**
 * Serves the built web app when there is one (production, docker): its files, and
 * index.html for any other GET so the router's history URLs survive a reload, with the
 * response's CSP nonce in place of the build's placeholder. API paths are left to their own handlers.
 */
export function serveWebApp(server: Express, webDist = WEB_DIST): void {
  const indexFile = path.join(webDist, 'index.html');
  if (!fs.existsSync(indexFile)) return;
  const indexHtml = fs.readFileSync(indexFile, 'utf8');
  server.use(express.static(webDist, { index: false }));
  server.use((req, res, next) => {
    if (req.method !== 'GET' || isApiPath(req.path) || !req.accepts('html')) return next();
    res.type('html').send(indexHtml.replaceAll(CSP_NONCE_PLACEHOLDER, cspNonceOf(res)));
  });
}
