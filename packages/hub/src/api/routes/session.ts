import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { SESSION_COOKIE } from '../../auth/session-store.js';
import { principalOf, type ApiDeps } from '../context.js';

/**
 * Logging in: `POST /api/v1/session` with a token, or the one-time link `GET /login?code=` that
 * `commandcenter up` prints. Both set the HttpOnly session cookie the UI uses.
 */
export const sessionRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    const setCookie = (reply: FastifyReply, cookie: string, expires: Date, secure: boolean) =>
      reply.setCookie(SESSION_COOKIE, cookie, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure,
        expires,
      });

    app.get(
      '/api/v1/whoami',
      { schema: { tags: ['session'], summary: 'The caller: token name, role and project' } },
      async (req) => principalOf(req),
    );

    app.post(
      '/api/v1/session',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: 'Opens a UI session (HttpOnly cookie) with an API token',
          body: {
            type: 'object',
            properties: { token: { type: 'string', minLength: 1, maxLength: 500 } },
            required: ['token'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const { token } = req.body as { token: string };
        const who = await deps.tokens.verify(token);
        const s = await deps.sessions.open(who);
        await deps.audit.record(
          who,
          { action: 'session.open', project: who.project, target: who.tokenId },
          { ip: req.ip, userAgent: req.headers['user-agent'] ?? null },
        );
        setCookie(reply, s.cookie, s.expiresAt, req.protocol === 'https');
        return { ...who, expiresAt: s.expiresAt.toISOString() };
      },
    );

    app.delete(
      '/api/v1/session',
      { config: { public: true }, schema: { tags: ['session'], summary: 'Logs out' } },
      async (req, reply) => {
        const cookie = req.cookies[SESSION_COOKIE];
        if (cookie) await deps.sessions.close(cookie);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { loggedOut: true };
      },
    );

    app.get(
      '/login',
      {
        config: { public: true },
        schema: {
          tags: ['session'],
          summary: 'One-time login link: opens an admin session and redirects to the UI',
          querystring: {
            type: 'object',
            properties: { code: { type: 'string', minLength: 1, maxLength: 200 } },
            required: ['code'],
            additionalProperties: false,
          },
        },
      },
      async (req, reply) => {
        const { code } = req.query as { code: string };
        const s = await deps.sessions.redeemLoginCode(code);
        await deps.audit.record(
          { tokenId: null, name: 'login-link', role: 'admin', project: null },
          { action: 'session.open', project: null, target: 'one-time login link' },
          { ip: req.ip, userAgent: req.headers['user-agent'] ?? null },
        );
        setCookie(reply, s.cookie, s.expiresAt, req.protocol === 'https');
        return reply.redirect('/', 303);
      },
    );
  };
