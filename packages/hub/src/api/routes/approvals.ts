import type { FastifyPluginAsync } from 'fastify';
import { CCError } from '@commandcenter/protocol';
import { audit, own, principalOf, scope, type ApiDeps } from '../context.js';
import { commentBody, idParams, projectQuery } from '../schemas.js';
import { approvalView } from '../views.js';

const SELECT = `SELECT a.*, r.workflow, s.node_id FROM approvals a
  LEFT JOIN runs r ON r.id = a.run_id
  LEFT JOIN steps s ON s.run_id = a.run_id AND s.key = a.step_key`;

/** Approvals: the inbox (with the snapshot the approver sees), approve, reject. */
export const approvalRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/approvals',
      {
        schema: {
          tags: ['approvals'],
          summary: 'Approvals of the project (pending by default), oldest first',
          querystring: {
            type: 'object',
            properties: {
              ...projectQuery.properties,
              status: {
                type: 'string',
                enum: ['pending', 'approved', 'rejected', 'expired', 'cancelled', 'all'],
                default: 'pending',
              },
              limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            },
            additionalProperties: false,
          },
        },
      },
      async (req) => {
        const project = await scope(deps, req, 'viewer');
        const q = req.query as { status: string; limit: number };
        const r = await deps.store.query(
          `${SELECT} WHERE a.project = $1 AND ($2 = 'all' OR a.status = $2)
            ORDER BY a.requested_at ${q.status === 'pending' ? 'ASC' : 'DESC'} LIMIT $3`,
          [project, q.status, q.limit],
        );
        return { items: r.rows.map(approvalView) };
      },
    );

    const load = async (id: string) => {
      const r = await deps.store.query(`${SELECT} WHERE a.id = $1`, [id]);
      const row = r.rows[0];
      if (!row) throw CCError.notFound(`approval ${id}`);
      return row;
    };

    app.get(
      '/approvals/:id',
      { schema: { tags: ['approvals'], summary: 'One approval', params: idParams } },
      async (req) => {
        const { id } = req.params as { id: string };
        const row = await load(id);
        own(req, row.project as string, 'viewer', `approval ${id}`);
        return approvalView(row);
      },
    );

    for (const decision of ['approve', 'reject'] as const) {
      app.post(
        `/approvals/:id/${decision}`,
        {
          schema: {
            tags: ['approvals'],
            summary:
              decision === 'approve'
                ? 'Approves: the step runs (the first decision wins)'
                : 'Rejects: the step fails with CC_E_APPROVAL_REJECTED (the first decision wins)',
            params: idParams,
            body: commentBody,
          },
        },
        async (req) => {
          const { id } = req.params as { id: string };
          const row = await load(id);
          const project = row.project as string;
          own(req, project, 'approver', `approval ${id}`);
          const { comment } = req.body as { comment?: string };
          const r = await deps.engine.decideApproval(
            project,
            id,
            decision,
            principalOf(req).name,
            comment,
          );
          await audit(deps, req, {
            action: `approval.${decision}`,
            project,
            target: id,
            detail: { runId: row.run_id, stepKey: row.step_key, comment: comment ?? null },
          });
          return { id, status: r.status };
        },
      );
    }
  };
