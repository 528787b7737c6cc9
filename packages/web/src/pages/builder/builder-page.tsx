import { isCCError } from '@commandcenter/protocol/client';
import { useQuery } from '@tanstack/react-query';
import { ReactFlowProvider } from '@xyflow/react';
import { Link, useParams } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject } from '../../app/session.js';
import { PageHeader } from '../../ui/page.js';
import { EmptyState, ErrorView, Loading } from '../../ui/states.js';
import { Builder } from './builder.js';
import { emptyDoc, orderDocKeys } from './model.js';
import './builder.css';

/**
 * `/workflows/new` and `/workflows/:name`: loads the workflow (its latest version) and opens the
 * builder on it. The builder is keyed by the name, so opening another workflow starts afresh.
 */
export function BuilderPage() {
  const { name } = useParams();
  const client = useClient();
  const project = useProject();
  const detail = useQuery({
    queryKey: keys.workflow(project, name ?? ''),
    queryFn: () => client.getWorkflow(name!),
    enabled: name !== undefined,
    // The builder edits a copy; only a save changes what is loaded here.
    staleTime: Infinity,
  });
  if (name === undefined) {
    return (
      <ReactFlowProvider>
        <Builder key="new" initial={emptyDoc()} detail={undefined} />
      </ReactFlowProvider>
    );
  }
  // Data first: a failed background refetch must not close the builder (and its edits).
  if (detail.data) {
    return (
      <ReactFlowProvider>
        <Builder key={name} initial={orderDocKeys(detail.data.source)} detail={detail.data} />
      </ReactFlowProvider>
    );
  }
  if (detail.isPending) return <Loading label={`Opening ${name}…`} />;
  if (isCCError(detail.error) && detail.error.status === 404) {
    return (
      <>
        <PageHeader title="Workflow not found" />
        <EmptyState
          title={`There is no workflow “${name}” in project ${project}`}
          action={<Link to="/workflows/new">Create a workflow</Link>}
        >
          It may be in another project (switch it in the header), or have another name.
        </EmptyState>
      </>
    );
  }
  return <ErrorView error={detail.error} retry={() => void detail.refetch()} />;
}
