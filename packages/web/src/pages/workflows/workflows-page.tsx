import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function WorkflowsPage() {
  return <PageHeader title="WorkflowsPage" />;
}
