import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function AgentPage() {
  return <PageHeader title="AgentPage" />;
}
