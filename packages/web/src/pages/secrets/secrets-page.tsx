import { PageHeader } from '../../ui/page.js';

// Replaced by the page's implementation.
export function SecretsPage() {
  return <PageHeader title="SecretsPage" />;
}
