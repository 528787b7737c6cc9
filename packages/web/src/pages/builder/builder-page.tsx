import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function BuilderPage() {
  return <PageHeader title="BuilderPage" />;
}
