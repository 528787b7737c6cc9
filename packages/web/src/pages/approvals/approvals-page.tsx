import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function ApprovalsPage() {
  return <PageHeader title="ApprovalsPage" />;
}
