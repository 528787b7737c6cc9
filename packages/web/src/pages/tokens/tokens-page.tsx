import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function TokensPage() {
  return <PageHeader title="TokensPage" />;
}
