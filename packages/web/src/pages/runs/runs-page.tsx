import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function RunsPage() {
  return <PageHeader title="RunsPage" />;
}
