import fs from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';

/** The built Vue app (`yarn workspace @mailing/web build`), beside the server package. */
const WEB_DIST = path.resolve(__dirname, '../../web/dist');

/**
 * Serves the built web app when there is one (production, docker): its files, and
 * index.html for any other GET so the router's history URLs survive a reload.
 * API paths are left to their own handlers.
 */
export function serveWebApp(server: Express, webDist = WEB_DIST): void {
  const indexHtml = path.join(webDist, 'index.html');
  if (!fs.existsSync(indexHtml)) return;
  server.use(express.static(webDist, { index: false }));
  server.use((req, res, next) => {
    const isApi =
      req.path === '/graphql' || req.path.startsWith('/graphql/') || req.path === '/healthz' || req.path.startsWith('/export/');
    if (req.method !== 'GET' || isApi || !req.accepts('html')) return next();
    res.sendFile(indexHtml);
  });
}
