import type { AgentManifest } from '@commandcenter/protocol/client';
import type { ReactNode } from 'react';
import { formatDuration } from '../../ui/format.js';

const transportHelp: Record<AgentManifest['type'], string> = {
  builtin: 'shipped with the hub, runs in its workers',
  process: 'a local command, one JSON request on stdin per attempt',
  http: 'a POST of each request to a URL',
  nats: 'request/reply over NATS, the agent runs anywhere',
  llm: 'a prompt to an OpenAI-compatible endpoint',
};

/** How the hub reaches the agent and within which limits. */
export function RuntimeSummary({
  manifest: m,
  project,
}: {
  manifest: AgentManifest;
  project: string;
}) {
  const rows: [string, ReactNode][] = [
    [
      'Transport',
      <>
        {m.type} <span className="muted">— {transportHelp[m.type]}</span>
      </>,
    ],
  ];
  const timeout = 'timeoutMs' in m.runtime ? m.runtime.timeoutMs : undefined;
  rows.push([
    'Timeout',
    timeout ? formatDuration(timeout) : 'none declared (a node’s timeout applies)',
  ]);
  rows.push([
    'Concurrency',
    m.concurrency ? `at most ${m.concurrency} attempts at once` : 'no limit',
  ]);
  switch (m.type) {
    case 'process': {
      const r = m.runtime;
      const cmd = [...(Array.isArray(r.command) ? r.command : [r.command]), ...(r.args ?? [])];
      rows.push(['Command', <code key="c">{cmd.join(' ')}</code>]);
      rows.push([
        'Process',
        r.persistent ? 'kept warm (one request per line)' : 'spawned per attempt',
      ]);
      if (r.memoryMb) rows.push(['Memory', `${r.memoryMb} MB`]);
      if (r.secrets?.length) rows.push(['Secrets', r.secrets.join(', ')]);
      break;
    }
    case 'http':
      rows.push(['URL', <code key="u">{m.runtime.url}</code>]);
      if (m.runtime.secrets?.length) rows.push(['Secrets', m.runtime.secrets.join(', ')]);
      break;
    case 'nats':
      rows.push([
        'Subject',
        <code key="s">{m.runtime.subject ?? `cc.${project}.agent.${m.name}`}</code>,
      ]);
      break;
    case 'llm': {
      const r = m.runtime;
      rows.push(['Model', r.model ?? 'the project secret LLM_MODEL']);
      rows.push(['Endpoint', r.baseUrl ?? 'the project secret LLM_BASE_URL']);
      if (r.pricing) {
        rows.push([
          'Pricing',
          `$${r.pricing.inputPerMillion} / $${r.pricing.outputPerMillion} per million tokens in / out`,
        ]);
      }
      break;
    }
    case 'builtin':
      break;
  }
  return (
    <dl className="props">
      {rows.map(([k, v]) => (
        <Row key={k} name={k} value={v} />
      ))}
    </dl>
  );
}

function Row({ name, value }: { name: string; value: ReactNode }) {
  return (
    <>
      <dt>{name}</dt>
      <dd>{value}</dd>
    </>
  );
}
