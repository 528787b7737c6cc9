import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function AgentsPage() {
  return <PageHeader title="AgentsPage" />;
}
