import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function OverviewPage() {
  return <PageHeader title="OverviewPage" />;
}
