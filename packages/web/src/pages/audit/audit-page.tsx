import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function AuditPage() {
  return <PageHeader title="AuditPage" />;
}
