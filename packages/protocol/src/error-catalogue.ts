/**
 * The one error catalogue of CommandCenter. Every error the hub, the engine, the CLI or the UI
 * shows has a stable string code from this table, an HTTP status (used when the error answers a
 * request), a short title and a fix that says concretely what to do.
 *
 * Codes starting `CC_W_` are warnings: they are reported next to a successful validation and are
 * never raised, so their status is 200.
 */
export const errorCatalogue = {
  // --- documents (workflows and agent manifests) -------------------------------------------
  CC_E_PARSE: {
    status: 400,
    title: 'The document is not valid YAML or JSON',
    fix: 'Fix the syntax at the reported line and column (check indentation, unclosed quotes, brackets and duplicate keys), then apply again.',
  },
  CC_E_SCHEMA_UNKNOWN_FIELD: {
    status: 422,
    title: 'Unknown field',
    fix: 'Remove the field or correct its spelling; only the fields documented for this object are accepted.',
  },
  CC_E_SCHEMA_WRONG_TYPE: {
    status: 422,
    title: 'Field has the wrong type',
    fix: 'Change the value to the expected type (in YAML, quote values that must be strings).',
  },
  CC_E_SCHEMA_MISSING_FIELD: {
    status: 422,
    title: 'Required field is missing',
    fix: 'Add the field named in the path to the object that contains it.',
  },
  CC_E_SCHEMA_INVALID_VALUE: {
    status: 422,
    title: 'Field has an invalid value',
    fix: 'Use one of the allowed values or a value within the allowed range.',
  },

  // --- workflows ------------------------------------------------------------------------------
  CC_E_WORKFLOW_INVALID: {
    status: 422,
    title: 'The workflow definition is invalid',
    fix: 'Fix every problem listed in `errors` (each has a path and its own fix), then apply again.',
  },
  CC_E_WORKFLOW_ARCHIVED: {
    status: 409,
    title: 'The workflow is archived',
    fix: 'Apply the workflow again (`commandcenter apply -f <file>`) to restore it, then start the run.',
  },
  CC_E_WORKFLOW_NAME: {
    status: 422,
    title: 'Invalid workflow name',
    fix: 'Use 1-63 characters of lowercase letters, digits and dashes, starting with a letter or digit (e.g. `security-audit`).',
  },
  CC_E_WORKFLOW_NO_NODES: {
    status: 422,
    title: 'The workflow has no nodes',
    fix: 'Add at least one node under `nodes:` with an `id`, an `agent` and an `action`.',
  },
  CC_E_WORKFLOW_NODE_ID: {
    status: 422,
    title: 'Invalid node id',
    fix: 'Use an identifier: letters, digits and underscores, not starting with a digit (e.g. `scan_repo`); dashes are not allowed because ids are used in `nodes.<id>` references.',
  },
  CC_E_WORKFLOW_DUPLICATE_NODE_ID: {
    status: 422,
    title: 'Duplicate node id',
    fix: 'Give every node a unique `id` and update the `dependsOn` lists and `nodes.<id>` references that meant the renamed node.',
  },
  CC_E_WORKFLOW_UNKNOWN_DEPENDENCY: {
    status: 422,
    title: '`dependsOn` names a node that does not exist',
    fix: 'Use the `id` of a node of this workflow in `dependsOn`, or add the missing node.',
  },
  CC_E_WORKFLOW_SELF_DEPENDENCY: {
    status: 422,
    title: 'A node depends on itself',
    fix: 'Remove the node’s own id from its `dependsOn` list.',
  },
  CC_E_WORKFLOW_CYCLE: {
    status: 422,
    title: 'The dependencies form a cycle',
    fix: 'Remove one of the `dependsOn` edges of the reported cycle so the nodes form a DAG.',
  },
  CC_E_WORKFLOW_UNKNOWN_AGENT: {
    status: 422,
    title: 'Unknown agent',
    fix: 'Register the agent first (`commandcenter apply -f agent.yaml`) or correct the `agent` name; `commandcenter agents list` shows the registered agents.',
  },
  CC_E_WORKFLOW_UNKNOWN_ACTION: {
    status: 422,
    title: 'The agent has no such action',
    fix: 'Use one of the actions the agent declares (`commandcenter agents show <agent>`).',
  },
  CC_E_DURATION: {
    status: 422,
    title: 'Invalid duration',
    fix: 'Write a positive duration as a number and a unit: `500ms`, `30s`, `5m`, `1h`, `1d` (units may be combined: `1h30m`).',
  },
  CC_E_WORKFLOW_CRON: {
    status: 422,
    title: 'Invalid cron expression',
    fix: 'Use 5 fields `minute hour day-of-month month day-of-week` (or 6 with seconds first), e.g. `0 3 * * *`, or a macro such as `@daily`.',
  },
  CC_E_WORKFLOW_TIMEZONE: {
    status: 422,
    title: 'Unknown time zone',
    fix: 'Use an IANA time zone name such as `UTC`, `Europe/Berlin` or `America/New_York`.',
  },
  CC_E_WORKFLOW_TRIGGER: {
    status: 422,
    title: 'Invalid trigger',
    fix: 'Give each trigger exactly one kind (`event`, `cron`, `webhook`, `manual`, `alert` or `action`) and only the options of that kind (`when` for event/webhook/alert, `timezone`/`catchUp` for cron).',
  },
  CC_E_WORKFLOW_RETRY: {
    status: 422,
    title: 'Invalid retry policy',
    fix: 'Use `retry: { attempts: 1..100, backoff: fixed|exponential|linear, delay: 2s, maxDelay: 1m }` with `maxDelay` not smaller than `delay`.',
  },
  CC_E_WORKFLOW_CONCURRENCY: {
    status: 422,
    title: 'Invalid concurrency setting',
    fix: 'Use `concurrency: { limit: <integer ≥ 1>, key: "{{ input.field }}" }`; `key` is optional.',
  },
  CC_E_WORKFLOW_INPUT_SCHEMA: {
    status: 422,
    title: '`inputs` is not a valid JSON Schema',
    fix: 'Write `inputs` as a JSON Schema (2020-12), e.g. `{ type: object, properties: { repo: { type: string } }, required: [repo] }`.',
  },
  CC_E_WORKFLOW_INPUT_MISMATCH: {
    status: 422,
    title: 'A node input does not match the action’s input schema',
    fix: 'Change the literal value to match the action’s input schema (`commandcenter agents show <agent>`), or compute it with a `{{ }}` template.',
  },
  CC_E_WORKFLOW_INPUT_MISSING: {
    status: 422,
    title: 'A required action input is missing',
    fix: 'Add the missing key under the node’s `inputs` (a literal or a `{{ }}` template).',
  },
  CC_E_WORKFLOW_FOREACH: {
    status: 422,
    title: '`forEach` is neither a template nor an array',
    fix: 'Set `forEach` to one template that yields an array (e.g. `"{{ nodes.scan.output.files }}"`) or to a literal list.',
  },
  CC_E_WORKFLOW_UI: {
    status: 422,
    title: 'Invalid UI layout',
    fix: 'Use `ui: { positions: { <nodeId>: { x: <number>, y: <number> } } }`.',
  },
  CC_W_UI_UNKNOWN_NODE: {
    status: 200,
    title: 'UI layout mentions a node that does not exist',
    fix: 'Remove the stale entry from `ui.positions` (the builder drops it on the next save).',
  },

  // --- templates --------------------------------------------------------------------------------
  CC_E_TEMPLATE_SYNTAX: {
    status: 422,
    title: 'Template syntax error',
    fix: 'Write a valid JSONata expression between `{{` and `}}` (strings in single or double quotes, balanced brackets); see https://docs.jsonata.org.',
  },
  CC_E_TEMPLATE_UNKNOWN_ROOT: {
    status: 422,
    title: 'Template references an unknown name',
    fix: 'Start every reference with one of `input`, `event`, `nodes`, `item`, `run` or `secrets` (e.g. `{{ input.repo }}`).',
  },
  CC_E_TEMPLATE_ROOT_UNAVAILABLE: {
    status: 422,
    title: 'Template references a value that does not exist at this place',
    fix: 'Use only the values available where the template is evaluated (the message lists them).',
  },
  CC_E_TEMPLATE_ITEM_OUTSIDE_FOREACH: {
    status: 422,
    title: '`item` used outside a forEach node',
    fix: 'Add `forEach:` to the node, or reference the value through `input`/`nodes.<id>.output` instead of `item`.',
  },
  CC_E_TEMPLATE_UNKNOWN_NODE: {
    status: 422,
    title: 'Template references a node that does not exist',
    fix: 'Reference an existing node id in `nodes.<id>.output`.',
  },
  CC_E_TEMPLATE_NOT_UPSTREAM: {
    status: 422,
    title: 'Template references a node that is not upstream',
    fix: 'Add the referenced node to `dependsOn` (directly or through another dependency) so its output exists before this node runs.',
  },
  CC_E_TEMPLATE_SECRET_REF: {
    status: 422,
    title: 'Secrets must be referenced by name',
    fix: 'Write `{{ secrets.NAME }}` with a literal secret name; dynamic access to `secrets` is not allowed.',
  },
  CC_W_TEMPLATE_DYNAMIC_REF: {
    status: 200,
    title: 'Dynamic node reference cannot be checked',
    fix: 'Prefer `nodes.<id>.output` with a literal id; only upstream nodes are visible at run time.',
  },
  CC_W_TEMPLATE_UNDECLARED_INPUT: {
    status: 200,
    title: 'Template reads an input field the `inputs` schema does not declare',
    fix: 'Correct the field name, or declare it under `inputs.properties` so callers know to pass it.',
  },
  CC_E_TEMPLATE_MISSING_REF: {
    status: 422,
    title: 'Template references a missing value',
    fix: 'Make sure the referenced input/output field exists (check the upstream output and the run input), or give a default with JSONata, e.g. `{{ $exists(x) ? x : "default" }}`.',
  },
  CC_E_TEMPLATE_EVAL: {
    status: 422,
    title: 'Template evaluation failed',
    fix: 'Correct the expression so it evaluates on the actual data (check types and function arguments); see https://docs.jsonata.org.',
  },

  // --- agent manifests --------------------------------------------------------------------------
  CC_E_AGENT_INVALID: {
    status: 422,
    title: 'The agent manifest is invalid',
    fix: 'Fix every problem listed in `errors`, then register the agent again.',
  },
  CC_E_AGENT_NAME: {
    status: 422,
    title: 'Invalid agent name',
    fix: 'Use 1-63 characters of lowercase letters, digits and dashes, starting with a letter or digit (e.g. `security-scanner`).',
  },
  CC_E_AGENT_VERSION: {
    status: 422,
    title: 'Invalid agent version',
    fix: 'Use a semantic version `MAJOR.MINOR.PATCH` as a string, e.g. `version: "1.2.0"` (quote it in YAML).',
  },
  CC_E_AGENT_TYPE: {
    status: 422,
    title: 'Invalid agent type',
    fix: 'Set `type` to one of `process`, `http`, `nats`, `llm`, `builtin`.',
  },
  CC_E_AGENT_RISK: {
    status: 422,
    title: 'Invalid risk level',
    fix: 'Set `risk` to one of `low`, `medium`, `high`, `critical`.',
  },
  CC_E_AGENT_RUNTIME: {
    status: 422,
    title: 'Invalid or missing runtime settings for the agent type',
    fix: 'Add `runtime:` with the settings of the agent type: process `{ command }`, http `{ url }`, llm `{ model, prompt }`; nats and builtin need none.',
  },
  CC_E_AGENT_NO_ACTIONS: {
    status: 422,
    title: 'The agent declares no actions',
    fix: 'Declare at least one action under `actions:`, e.g. `actions: { scan: { input: {...}, output: {...} } }`.',
  },
  CC_E_AGENT_ACTION_NAME: {
    status: 422,
    title: 'Invalid action name',
    fix: 'Use an identifier for action names: letters, digits, `_` and `-`, starting with a letter (e.g. `createFixPR`).',
  },
  CC_E_AGENT_ACTION_SCHEMA: {
    status: 422,
    title: 'An action’s input or output is not a valid JSON Schema',
    fix: 'Write the action’s `input`/`output` as a JSON Schema (2020-12), e.g. `{ type: object, properties: { path: { type: string } } }`.',
  },
  CC_W_SCHEMA_STRICT: {
    status: 200,
    title: 'JSON Schema contains an unknown keyword',
    fix: 'Check the keyword’s spelling (e.g. `required`, `properties`); unknown keywords are ignored during validation.',
  },

  // --- API and engine ---------------------------------------------------------------------------
  CC_E_BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    fix: 'Correct the request as described in `detail` and `errors`.',
  },
  CC_E_UNAUTHORIZED: {
    status: 401,
    title: 'Authentication required',
    fix: 'Send a valid API token as `Authorization: Bearer <token>` (or set `CC_TOKEN` for the CLI).',
  },
  CC_E_FORBIDDEN: {
    status: 403,
    title: 'Not allowed',
    fix: 'Use a token with the required role for this project (viewer < operator < approver < admin).',
  },
  CC_E_NOT_FOUND: {
    status: 404,
    title: 'Not found',
    fix: 'Check the name or id and the project; list the existing objects (e.g. `commandcenter runs list`).',
  },
  CC_E_TOKEN_EXPIRED: {
    status: 401,
    title: 'The API token has expired',
    fix: 'Ask an admin for a new token (`commandcenter tokens create`) and use it instead.',
  },
  CC_E_TOKEN_REVOKED: {
    status: 401,
    title: 'The API token was revoked',
    fix: 'Ask an admin for a new token (`commandcenter tokens create`) and use it instead.',
  },
  CC_E_PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'The request body is too large',
    fix: 'Send a smaller body (the limit is in `detail`; `CC_BODY_LIMIT` raises it), or pass large data by reference.',
  },
  CC_E_UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported content type',
    fix: 'Send `Content-Type: application/json` (or `application/yaml` where a document is applied).',
  },
  CC_E_HUB_UNREACHABLE: {
    status: 503,
    title: 'The hub cannot be reached',
    fix: 'Start the hub (`npm start` or `commandcenter up`) or point `CC_URL` at a running hub.',
  },
  CC_E_SECRET_MISSING: {
    status: 422,
    title: 'A referenced secret is not set',
    fix: 'Set it for the run’s project (`commandcenter secrets set NAME`), then re-run from the failed step.',
  },
  CC_E_SECRET_KEY_MISMATCH: {
    status: 500,
    title: 'The secret was encrypted with another key',
    fix: 'Give every hub and worker process the same `CC_SECRET_KEY` (or the same data-directory key file).',
  },
  CC_E_CONFLICT: {
    status: 409,
    title: 'Conflict with the current state',
    fix: 'Reload the object and retry the change against its current state.',
  },
  CC_E_RATE_LIMITED: {
    status: 429,
    title: 'Too many requests or concurrency limit reached',
    fix: 'Retry after the number of seconds in the `Retry-After` header, or raise the concurrency limit.',
  },
  CC_E_INTERNAL: {
    status: 500,
    title: 'Internal error',
    fix: 'Retry; if it persists, report it with the hub logs around the time of the error.',
  },
  CC_E_CONFIG_INVALID: {
    status: 500,
    title: 'Invalid configuration',
    fix: 'Correct the environment variable or option named in the error (see `commandcenter doctor`), then start again.',
  },
  CC_E_STORE_UNAVAILABLE: {
    status: 503,
    title: 'The store is not ready',
    fix: 'Check that PostgreSQL (DATABASE_URL) is reachable and run `commandcenter migrate`; the embedded store needs a writable CC_DATA_DIR.',
  },
  CC_E_STORE_LOCKED: {
    status: 503,
    title: 'The data directory is in use by another process',
    fix: 'Stop the other `commandcenter` process using this data directory, set a different `CC_DATA_DIR`, or use PostgreSQL (`DATABASE_URL`) to run several processes.',
  },
  CC_E_RUN_NOT_CANCELLABLE: {
    status: 409,
    title: 'The run cannot be cancelled',
    fix: 'Only queued, running or waiting_approval runs can be cancelled; this run has already finished.',
  },
  CC_E_RUN_NOT_RERUNNABLE: {
    status: 409,
    title: 'The run cannot be re-run',
    fix: 'Re-run from the failed step works only for failed, cancelled or timed_out runs; start a new run or re-run from scratch instead.',
  },
  CC_E_APPROVAL_ALREADY_DECIDED: {
    status: 409,
    title: 'The approval has already been decided',
    fix: 'Nothing to do: the first decision wins. `commandcenter approvals list` shows the pending ones.',
  },
  CC_E_IDEMPOTENCY_MISMATCH: {
    status: 422,
    title: 'Idempotency-Key reused with a different request',
    fix: 'Use a new `Idempotency-Key` for a different request, or resend exactly the original request.',
  },
  CC_E_INPUT_INVALID: {
    status: 422,
    title: 'The run input does not match the workflow’s `inputs` schema',
    fix: 'Pass an input that matches the workflow’s `inputs` JSON Schema (see `errors` for each field).',
  },
  CC_E_STEP_INPUT_INVALID: {
    status: 422,
    title: 'The resolved step input does not match the action’s input schema',
    fix: 'Change the node’s `inputs` (or the upstream output they reference) so the resolved value matches the action’s input schema.',
  },
  CC_E_OUTPUT_INVALID: {
    status: 502,
    title: 'The agent’s output does not match the action’s output schema',
    fix: 'Fix the agent so its output matches the declared `output` schema, or correct the schema in the manifest.',
  },
  CC_E_STEP_TIMEOUT: {
    status: 504,
    title: 'The step attempt timed out',
    fix: 'Raise the node’s `timeout`, or make the agent finish faster.',
  },
  CC_E_RUN_TIMEOUT: {
    status: 504,
    title: 'The run timed out',
    fix: 'Raise the workflow’s `timeout`, or shorten the slow steps.',
  },
  CC_E_STEP_CANCELLED: {
    status: 409,
    title: 'The step was cancelled',
    fix: 'Nothing to fix in the step: the run was cancelled or failed elsewhere. Re-run it if needed.',
  },
  CC_E_LEASE_LOST: {
    status: 409,
    title: 'The worker lost the lease of the step attempt',
    fix: 'The step is retried automatically; if it keeps happening, check that workers are not overloaded or paused (heartbeats must reach the store).',
  },
  CC_E_AGENT_ERROR: {
    status: 502,
    title: 'The agent reported an error',
    fix: 'Read the step’s error message and logs; fix the input or the agent.',
  },
  CC_E_AGENT_CRASH: {
    status: 502,
    title: 'The agent process crashed',
    fix: 'Read the step’s logs (stderr tail) and exit code; run the agent locally with the same input (`commandcenter agents test`).',
  },
  CC_E_AGENT_PROTOCOL: {
    status: 502,
    title: 'The agent broke the protocol',
    fix: 'Make the agent print exactly one JSON line `{ "output": ... }` or `{ "error": { "message", "retryable" } }` on stdout and write logs to stderr (the agent SDK does this).',
  },
  CC_E_AGENT_OUTPUT_TOO_LARGE: {
    status: 502,
    title: 'The agent output is too large',
    fix: 'Return less data (store large artifacts elsewhere and return a reference), or raise `runtime.maxOutputBytes` in the manifest.',
  },
  CC_E_AGENT_CONFIG: {
    status: 422,
    title: 'The step’s agent or action is unknown or misconfigured',
    fix: 'Register the agent version the run pinned (or re-run on the latest workflow version) and check the node’s `agent` and `action`.',
  },
  CC_E_AGENT_UNAVAILABLE: {
    status: 503,
    title: 'The agent is not registered or not reachable',
    fix: 'Register the agent (`commandcenter apply -f agent.yaml`) and check that its process, URL or NATS service is up.',
  },
  CC_E_EGRESS_REFUSED: {
    status: 403,
    title: 'Outbound request refused by the SSRF guard',
    fix: 'The URL (or an address its host name resolves to, or a redirect) is loopback, private, link-local or a metadata address. Use a public URL, or have a project admin add the host to the project’s `egressAllowHosts` (PATCH /api/v1/projects/{id}).',
  },
  CC_E_DELIVERY_FAILED: {
    status: 502,
    title: 'A notification or HTTP delivery failed',
    fix: 'Read the status and response excerpt in the step error; check the webhook URL and credentials (secrets). Retryable failures (5xx, 429, timeouts) are retried by the node’s retry policy.',
  },
  CC_E_LLM_NOT_CONFIGURED: {
    status: 422,
    title: 'No LLM provider is configured',
    fix: 'Set the project secrets `LLM_BASE_URL` (an OpenAI-compatible base URL such as https://api.openai.com/v1), `LLM_API_KEY` and optionally `LLM_MODEL` (`commandcenter secrets set`), or set `runtime.baseUrl` and `runtime.model` in the agent manifest.',
  },
  CC_E_LLM_ERROR: {
    status: 502,
    title: 'The LLM provider answered with an error or an unusable completion',
    fix: 'Read the provider’s status and message in the step error; check the model name and API key, and that the model supports structured output (response_format json_schema).',
  },
  CC_E_EVENT_BUS_UNAVAILABLE: {
    status: 503,
    title: 'The event bus is not available',
    fix: 'Check that the NATS server (NATS_URL) is reachable with JetStream enabled, then publish again.',
  },
  CC_E_APPROVAL_REJECTED: {
    status: 409,
    title: 'The approval was rejected',
    fix: 'Read the approver’s comment, change the input or workflow accordingly and re-run.',
  },
  CC_E_APPROVAL_EXPIRED: {
    status: 409,
    title: 'The approval expired before anyone decided',
    fix: 'Re-run and have an approver decide in time, or raise the node’s `approvalTimeout`.',
  },

  // --- webhooks (POST /hooks/<project>/<name>) -------------------------------------------------
  CC_E_WEBHOOK_SIGNATURE: {
    status: 401,
    title: 'The webhook signature is missing or does not match',
    fix: 'Sign exactly `<X-CC-Timestamp>.<raw body>` with HMAC-SHA256 and the webhook’s signing secret, and send `X-CC-Timestamp: <unix seconds>` and `X-CC-Signature: sha256=<hex>` (docs/triggers.md has an openssl one-liner). After a rotation, sign with the new secret (`POST /api/v1/triggers/{id}/webhook-secret` shows it once).',
  },
  CC_E_WEBHOOK_STALE: {
    status: 401,
    title: 'The webhook timestamp is outside the 5-minute window',
    fix: 'Sign each delivery when sending it, with the current time in `X-CC-Timestamp` (unix seconds), and keep the sender’s clock in sync (NTP). To resend an old delivery, sign it again with a fresh timestamp and the same `X-CC-Delivery`.',
  },
  CC_E_WEBHOOK_NO_SECRET: {
    status: 401,
    title: 'The webhook has no signing secret yet',
    fix: 'A project admin creates it with `POST /api/v1/triggers/{id}/webhook-secret` (the answer shows it once) and configures the sender with it; or declare the trigger with `auth: token` and send an API token.',
  },
  CC_E_WEBHOOK_DELIVERY_ID: {
    status: 400,
    title: 'The webhook delivery id is missing or invalid',
    fix: 'Send `X-CC-Delivery: <id>` (1-200 visible ASCII characters, unique per delivery, e.g. a UUID) with every signed delivery; a delivery resent with the same id is answered with the run it already started.',
  },
} as const satisfies Record<string, { status: number; title: string; fix: string }>;

/** Every code of the catalogue. */
export type ErrorCode = keyof typeof errorCatalogue;

/** All codes, in catalogue order. */
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

/** Whether a string is a code of the catalogue. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorCatalogue, value);
}
