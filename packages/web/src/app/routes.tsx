import { lazy, Suspense, type ComponentType } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { Loading } from '../ui/states.js';

/**
 * Every page, loaded on demand: the builder (graph editor, YAML editor) and the charts are
 * separate chunks, so the lists open fast.
 */
function page<M>(load: () => Promise<M>, name: keyof M) {
  return lazy(async () => ({ default: (await load())[name] as ComponentType }));
}

const OverviewPage = page(() => import('../pages/overview/overview-page.js'), 'OverviewPage');
const WorkflowsPage = page(() => import('../pages/workflows/workflows-page.js'), 'WorkflowsPage');
const BuilderPage = page(() => import('../pages/builder/builder-page.js'), 'BuilderPage');
const RunsPage = page(() => import('../pages/runs/runs-page.js'), 'RunsPage');
const RunPage = page(() => import('../pages/runs/run-page.js'), 'RunPage');
const ApprovalsPage = page(() => import('../pages/approvals/approvals-page.js'), 'ApprovalsPage');
const ApprovalPage = page(() => import('../pages/approvals/approval-page.js'), 'ApprovalPage');
const AgentsPage = page(() => import('../pages/agents/agents-page.js'), 'AgentsPage');
const AgentPage = page(() => import('../pages/agents/agent-page.js'), 'AgentPage');
const TriggersPage = page(() => import('../pages/triggers/triggers-page.js'), 'TriggersPage');
const SecretsPage = page(() => import('../pages/secrets/secrets-page.js'), 'SecretsPage');
const TokensPage = page(() => import('../pages/tokens/tokens-page.js'), 'TokensPage');
const AuditPage = page(() => import('../pages/audit/audit-page.js'), 'AuditPage');

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route path="/" element={<Navigate to="/overview" replace />} />
        <Route path="/overview" element={<OverviewPage />} />
        <Route path="/workflows" element={<WorkflowsPage />} />
        <Route path="/workflows/new" element={<BuilderPage />} />
        <Route path="/workflows/:name" element={<BuilderPage />} />
        <Route path="/runs" element={<RunsPage />} />
        <Route path="/runs/:id" element={<RunPage />} />
        <Route path="/approvals" element={<ApprovalsPage />} />
        <Route path="/approvals/:id" element={<ApprovalPage />} />
        <Route path="/agents" element={<AgentsPage />} />
        <Route path="/agents/:name" element={<AgentPage />} />
        <Route path="/triggers" element={<TriggersPage />} />
        <Route path="/secrets" element={<SecretsPage />} />
        <Route path="/tokens" element={<TokensPage />} />
        <Route path="/audit" element={<AuditPage />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Suspense>
  );
}

function NotFound() {
  return (
    <div className="state state-empty">
      <strong>This page does not exist</strong>
      <a href="/overview">Go to the overview</a>
    </div>
  );
}
