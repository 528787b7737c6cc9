import type { FastifyPluginAsync } from 'fastify';
import { CCError, problem } from '@commandcenter/protocol';
import { eventPublisherOf } from '../../bus/bus-registry.js';
import { EventBusError, type PublishResult } from '../../bus/event-bus.js';
import { publishSubjectProblem } from '../../bus/subjects.js';
import { audit, scope, type ApiDeps } from '../context.js';
import { projectQuery } from '../schemas.js';

const publishBody = {
  type: 'object',
  properties: {
    subject: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description:
        'Subject relative to `cc.<project>.` (dot-separated tokens, no wildcards), e.g. `audit.result.fail`',
    },
    data: {
      description:
        'The payload, any JSON: `event` of the triggers it matches, and their run input when it is an object',
    },
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      pattern: '^\\S+$',
      description:
        'Message id: a second event with the same id starts no second run (default a new UUID)',
    },
  },
  required: ['subject', 'data'],
  additionalProperties: false,
} as const;

/** `POST /events/publish`: external events into a project's bus (SPEC §6). */
export const busEventsRoutes =
  (deps: ApiDeps): FastifyPluginAsync =>
  async (app) => {
    app.post(
      '/events/publish',
      {
        schema: {
          tags: ['events'],
          summary:
            "Publishes an external event on the project's bus (cc.<project>.<subject>); matching event triggers start their workflows",
          querystring: projectQuery,
          body: publishBody,
        },
      },
      async (req, reply) => {
        const project = await scope(deps, req, 'operator');
        const body = req.body as { subject: string; data: unknown; id?: string };
        const bad = publishSubjectProblem(body.subject);
        if (bad) {
          throw CCError.invalid('CC_E_BAD_REQUEST', [
            problem('CC_E_BAD_REQUEST', 'subject', bad.message, bad.fix),
          ]);
        }
        const publisher = eventPublisherOf(deps.engine);
        if (!publisher) {
          throw new CCError('CC_E_EVENT_BUS_UNAVAILABLE', {
            detail:
              'the event bus of this hub process is not running (startEventBridge was not called, or it was stopped); restart the hub',
          });
        }
        let r: PublishResult;
        try {
          r = await publisher.publish(project, body.subject, body.data, {
            ...(body.id !== undefined ? { msgId: body.id } : {}),
          });
        } catch (err) {
          throw publishError(err);
        }
        await audit(deps, req, {
          action: 'event.publish',
          project,
          target: body.subject,
          detail: { id: r.id, duplicate: r.duplicate, bus: publisher.kind },
        });
        return reply.code(202).send({ ...r, bus: publisher.kind });
      },
    );
  };

function publishError(err: unknown): unknown {
  if (!(err instanceof EventBusError)) return err;
  switch (err.kind) {
    case 'not-captured':
      return CCError.invalid('CC_E_BAD_REQUEST', [
        problem(
          'CC_E_BAD_REQUEST',
          'subject',
          err.message,
          'Add an event trigger whose pattern names the first token (e.g. `deploy.*`), or use a subject of one or of three or more tokens.',
        ),
      ]);
    case 'too-large':
      return new CCError('CC_E_PAYLOAD_TOO_LARGE', { detail: err.message });
    case 'unavailable':
      return new CCError('CC_E_EVENT_BUS_UNAVAILABLE', {
        detail: `${err.message}; the event was not published: check that the NATS server (NATS_URL) is up and has JetStream enabled, then publish again`,
        cause: err,
      });
  }
}
