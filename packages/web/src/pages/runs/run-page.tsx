import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function RunPage() {
  return <PageHeader title="RunPage" />;
}
