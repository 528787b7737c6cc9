import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Where the built web UI is: `CC_UI_DIR`, else the repository's packages/web/dist. */
export function defaultUiDir(): string {
  return resolve(here, '../../../../web/dist');
}

/** Client-side routes of the UI: a reload or a shared link on any of them serves index.html. */
const uiRoutes = [
  '/',
  '/overview',
  '/workflows',
  '/workflows/*',
  '/runs',
  '/runs/*',
  '/approvals',
  '/approvals/*',
  '/agents',
  '/agents/*',
  '/triggers',
  '/secrets',
  '/tokens',
  '/audit',
];

// React Flow, CodeMirror and uPlot set inline styles; scripts are only our own files.
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const types: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Every file of the built UI, read once at start: path → bytes (the bundle is small). */
function readAssets(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${prefix}${name}/`);
      else files.set(`/${prefix}${name}`, readFileSync(p));
    }
  };
  walk(dir, '');
  return files;
}

/**
 * The web UI (VISLZR) at `/`: the files Vite built, with the SPA's routes answering index.html.
 * Hashed assets are cached for a year; index.html never, so a new build is picked up at once.
 * When the UI was not built, `/` explains how to build it (the API works either way).
 */
export const homeRoutes =
  (uiDir: string = defaultUiDir()): FastifyPluginAsync =>
  async (app) => {
    const opts = { config: { public: true }, schema: { hide: true } } as const;
    if (!existsSync(join(uiDir, 'index.html'))) {
      const page = `<!doctype html><meta charset="utf-8"><title>CommandCenter</title><p>The web UI is not built. Run <code>npm run build</code> (or <code>npm start</code>) in the repository, or set CC_UI_DIR to a built UI. The API is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>`;
      app.get('/', opts, async (_req, reply) =>
        reply.type('text/html; charset=utf-8').header('content-security-policy', csp).send(page),
      );
      return;
    }
    const files = readAssets(uiDir);
    const index = files.get('/index.html')!;
    const sendIndex = (reply: FastifyReply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .send(index);
    for (const route of uiRoutes) app.get(route, opts, async (_req, reply) => sendIndex(reply));
    for (const [path, body] of files) {
      if (path === '/index.html') continue;
      const ext = path.slice(path.lastIndexOf('.'));
      app.get(path, opts, async (_req, reply) =>
        reply
          .type(types[ext] ?? 'application/octet-stream')
          .header(
            'cache-control',
            path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          )
          .header('x-content-type-options', 'nosniff')
          .send(body),
      );
    }
  };
