import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../context.js';

// Being written (issue 5); registered in app.ts.
export const busEventsRoutes =
  (_deps: ApiDeps): FastifyPluginAsync =>
  async () => {};
