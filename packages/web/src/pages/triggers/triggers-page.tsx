import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function TriggersPage() {
  return <PageHeader title="TriggersPage" />;
}
