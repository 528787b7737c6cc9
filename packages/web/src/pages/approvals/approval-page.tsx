import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function ApprovalPage() {
  return <PageHeader title="ApprovalPage" />;
}
