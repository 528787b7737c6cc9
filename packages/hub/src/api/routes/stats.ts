import type { FastifyPluginAsync } from 'fastify';
import { scope, type ApiDeps } from '../context.js';
import { OVERVIEW_WINDOWS, overviewStats, type OverviewWindow } from '../overview-stats.js';
import { projectQuery } from '../schemas.js';

/** Aggregates for the web UI's charts, computed from the store (no Prometheus needed). */
export const statsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/stats/overview',
      {
        schema: {
          tags: ['stats'],
          summary:
            'Runs per bucket by status with duration percentiles, totals, top failing workflows and agents, pending approvals',
          description:
            'Buckets of 60 s (1h), 300 s (6h), 900 s (24h) or 3600 s (7d), every one present. Runs ' +
            'count in the bucket they were created in, by their current status.',
          querystring: {
            type: 'object',
            properties: {
              ...projectQuery.properties,
              window: {
                type: 'string',
                enum: Object.keys(OVERVIEW_WINDOWS),
                default: '1h',
                description: 'How far back',
              },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const { window } = req.query as { window: OverviewWindow };
        return overviewStats(deps.store, project, window);
      },
    );
  };
