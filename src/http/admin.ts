import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { projectRoot } from '../project-root';

/** Where `npm run build` puts the back office (src/cli/build-admin.ts). */
export const ADMIN_DIR = path.join(projectRoot(), 'dist/admin');

/**
 * The page may load only what this server serves, and talk only to it: no CDN, no
 * third-party script, not framed by another site.
 */
const CSP = [
  "default-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

/**
 * The merchants' back office at `/admin/`: static files built by `npm run build`. Assets
 * are named by their content hash and cached for a year; index.html is revalidated on
 * every load (ETag), so a new build is picked up at once. A server without a build
 * answers 404 with what to run; an unknown asset falls through to the API's 404.
 */
export function adminRouter(dir: string = ADMIN_DIR): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  router.get('/', (req, res, next) => {
    // Relative asset paths need the trailing slash: /admin -> /admin/.
    if (!req.originalUrl.split('?')[0]?.endsWith('/')) return res.redirect(301, `${req.baseUrl}/`);
    if (!existsSync(path.join(dir, 'index.html'))) {
      return res
        .status(404)
        .type('text/plain')
        .send('The back office is not built: run npm run build.\n');
    }
    next();
  });
  router.use(
    '/assets',
    express.static(path.join(dir, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
    }),
  );
  router.use(
    express.static(dir, {
      index: 'index.html',
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  return router;
}
