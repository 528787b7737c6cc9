import type { FastifyPluginAsync } from 'fastify';
import { CCError } from '@commandcenter/protocol';
import type { ApiDeps } from '../context.js';

/** `/healthz`: the process answers. `/readyz`: the store answers and migrations are current. */
export const healthRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/healthz',
      { config: { public: true }, schema: { tags: ['health'], summary: 'The process is up' } },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        config: { public: true },
        schema: { tags: ['health'], summary: 'The store answers and its migrations are current' },
      },
      async () => {
        let ready = false;
        try {
          ready = await deps.ready();
        } catch {
          ready = false;
        }
        if (!ready) {
          throw new CCError('CC_E_STORE_UNAVAILABLE', {
            detail: 'the store does not answer or its migrations are not current',
          });
        }
        return { status: 'ready' };
      },
    );
  };
