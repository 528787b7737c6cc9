import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';

const asset = (name: string) => readFileSync(new URL(`../home/${name}`, import.meta.url), 'utf8');

/**
 * The landing page at `/` (log in, create a CLI token) until the web UI is served in its place.
 * Its script is a separate file so the page runs under a strict Content-Security-Policy.
 */
export const homeRoutes = (): FastifyPluginAsync => async (app) => {
  const html = asset('home.html');
  const js = asset('home.js');
  const csp = "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(html),
  );
  app.get('/home.js', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').send(js),
  );
};
