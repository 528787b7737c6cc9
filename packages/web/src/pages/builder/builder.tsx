import type { WorkflowDetail } from '@commandcenter/protocol/client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useReactFlow } from '@xyflow/react';
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useClient } from '../../api/client.js';
import { keys } from '../../api/keys.js';
import { useProject, useSession } from '../../app/session.js';
import { PageHeader } from '../../ui/page.js';
import { Loading } from '../../ui/states.js';
import { Tabs } from '../../ui/tabs.js';
import { useToast } from '../../ui/toast.js';
import { Canvas, type Selection } from './canvas.js';
import { useCatalog } from './catalog.js';
import { useHistory } from './history.js';
import { autoLayout, freeSpot } from './layout.js';
import { LeaveGuard } from './leave-guard.js';
import {
  addNode,
  canonical,
  canvasNodes,
  connect,
  disconnect,
  findNode,
  removeNodes,
  setPositions,
  type Doc,
  type Position,
} from './model.js';
import { NodePanel } from './node-panel.js';
import { Palette } from './palette.js';
import { ProblemsBar } from './problems-list.js';
import { fieldDomId, type Located } from './problems.js';
import { RunDialog } from './run-dialog.js';
import { ShortcutsDialog, useBuilderShortcuts } from './shortcuts.js';
import { SuggestionsContext } from './template-input.js';
import { templateSuggestions } from './templates.js';
import { useValidation } from './use-validation.js';
import { VersionsTab } from './versions-tab.js';
import { WorkflowPanel } from './workflow-panel.js';
import type { YamlDraft } from './yaml-tab.js';

// The YAML editor (CodeMirror) loads when its tab first opens.
const YamlTab = lazy(async () => ({ default: (await import('./yaml-tab.js')).YamlTab }));

type Tab = 'canvas' | 'yaml' | 'versions';

/** Positions to draw: the saved ones, and the automatic layout for nodes without one. */
function useDisplayedPositions(doc: Doc): Record<string, Position> {
  const saved = doc.ui?.positions;
  const nodes = canvasNodes(doc);
  const missing = nodes.some((n) => !saved?.[n.id]);
  // Re-layout only when the graph's shape changes, not on every edit of a field.
  const shape = missing
    ? nodes.map((n) => `${n.id}<${(n.dependsOn ?? []).join(',')}`).join(';')
    : '';
  // `shape` stands for the graph of `doc`: field edits do not lay the graph out again.
  const auto = useMemo(() => (missing ? autoLayout(doc) : {}), [shape, missing]);
  return useMemo(() => ({ ...auto, ...(saved ?? {}) }), [auto, saved]);
}

/**
 * The workflow builder (issue 6 item 3): palette, canvas, node and workflow panels, YAML tab and
 * version history around one document with undo/redo, validated by the hub as it is edited.
 */
export function Builder({ initial, detail }: { initial: Doc; detail: WorkflowDetail | undefined }) {
  const client = useClient();
  const project = useProject();
  const { can } = useSession();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const flow = useReactFlow();
  const history = useHistory(() => initial);
  const { doc, commit } = history;
  const catalog = useCatalog();
  const secrets = useQuery({
    queryKey: keys.secrets(project),
    queryFn: () => client.listSecrets(),
    staleTime: 0,
  });
  const [saved, setSaved] = useState(() => ({ doc: initial, version: detail?.latestVersion ?? 0 }));
  const savedCanonical = useMemo(() => canonical(saved.doc), [saved.doc]);
  const dirty = useMemo(() => canonical(doc) !== savedCanonical, [doc, savedCanonical]);
  const [selection, setSelection] = useState<Selection>(null);
  const [tab, setTab] = useState<Tab>('canvas');
  const [help, setHelp] = useState(false);
  const [running, setRunning] = useState(false);
  const [saving, setSaving] = useState(false);
  const yamlDraft = useRef<YamlDraft | undefined>(undefined);
  const validation = useValidation(doc);
  const positions = useDisplayedPositions(doc);
  const isNew = detail === undefined;
  const canEdit = can('operator');

  // Handlers read the latest values through a ref, so they keep one identity (memoised children).
  const latest = useRef({ doc, positions, selection, isNew, saving });
  latest.current = { doc, positions, selection, isNew, saving };
  const { showRefusal } = validation;

  const addAction = useCallback(
    (key: string, at?: Position) => {
      const meta = catalog.byKey.get(key);
      if (!meta) return;
      const { doc: d, positions: p } = latest.current;
      const next = addNode(d, meta.agent, meta.action, at ?? freeSpot(Object.values(p)));
      commit(next.doc);
      setSelection({ kind: 'node', id: next.id });
      if (!at) toast.info(`Added ${next.id} (${key}); connect it or configure it in the panel.`);
    },
    [catalog, commit, toast],
  );

  const onConnect = useCallback(
    (source: string, target: string) => {
      const r = connect(latest.current.doc, source, target);
      if (!r.ok) toast.error(r.reason, 'Not connected');
      else commit(r.doc);
    },
    [commit, toast],
  );

  const onMoved = useCallback(
    (moved: Record<string, Position>) => {
      const { doc: d, positions: p } = latest.current;
      const changed = Object.entries(moved).some(
        ([id, pos]) => p[id]?.x !== pos.x || p[id]?.y !== pos.y,
      );
      if (!changed) return;
      // The first manual move keeps every other node where the automatic layout drew it.
      commit(setPositions(d, { ...p, ...moved }));
    },
    [commit],
  );

  const removeSelection = useCallback(() => {
    const { doc: d, selection: s } = latest.current;
    if (!s) return;
    if (s.kind === 'node') commit(removeNodes(d, [s.id]));
    else commit(disconnect(d, s.source, s.target));
    setSelection(null);
  }, [commit]);

  const removeNode = useCallback(
    (id: string) => {
      commit(removeNodes(latest.current.doc, [id]));
      setSelection(null);
    },
    [commit],
  );

  const tidy = useCallback(() => {
    const d = latest.current.doc;
    if (canvasNodes(d).length === 0) return;
    commit(setPositions(d, autoLayout(d)));
    setTab('canvas');
    requestAnimationFrame(() => void flow.fitView({ padding: 0.1, maxZoom: 1, duration: 200 }));
  }, [commit, flow]);

  const save = useCallback(async (): Promise<number | undefined> => {
    const { doc: d, isNew: fresh } = latest.current;
    setSaving(true);
    try {
      const r = await client.applyWorkflow(d);
      setSaved({ doc: d, version: r.version });
      toast.success(
        r.created ? `Saved version ${r.version}` : 'No changes: the latest version is the same',
      );
      await queryClient.invalidateQueries({ queryKey: keys.workflows(project) });
      if (fresh) void navigate(`/workflows/${encodeURIComponent(r.name)}`, { replace: true });
      return r.version;
    } catch (err) {
      if (showRefusal(d, err))
        toast.error('Fix the problems marked on the nodes, then save again.', 'Not saved');
      else toast.error(err, 'Not saved');
      return undefined;
    } finally {
      setSaving(false);
    }
  }, [client, toast, queryClient, project, navigate, showRefusal]);

  const trySave = useCallback(() => {
    if (!canEdit) toast.error('Your role cannot save workflows (operator or above can).');
    else if (!latest.current.saving) void save();
  }, [canEdit, save, toast]);

  useBuilderShortcuts({
    save: trySave,
    undo: history.undo,
    redo: history.redo,
    removeSelection,
    tidy,
    help: () => setHelp(true),
  });

  const focusProblem = useCallback((l: Located) => {
    setTab('canvas');
    setSelection(l.nodeId === undefined ? null : { kind: 'node', id: l.nodeId });
    // After the panel renders: the field of the problem, else its closest parent field.
    requestAnimationFrame(() => {
      let field = l.field;
      for (;;) {
        const el = document.getElementById(fieldDomId(l.nodeId, field));
        if (el) {
          el.focus();
          el.scrollIntoView({ block: 'center' });
          return;
        }
        const cut = Math.max(field.lastIndexOf('.'), field.lastIndexOf('['));
        if (cut <= 0) break;
        field = field.slice(0, cut);
      }
      document.querySelector<HTMLElement>('.bf-panel-body')?.focus();
    });
  }, []);

  const selectedId = selection?.kind === 'node' ? selection.id : undefined;
  // Another selection shows its panel from the top.
  const panelRef = useRef<HTMLElement>(null);
  useEffect(() => {
    // (a block body: scrollTo returns a promise in recent browsers, not an effect cleanup)
    panelRef.current?.scrollTo({ top: 0 });
  }, [selectedId, selection?.kind]);
  const selectedNode = selectedId === undefined ? undefined : findNode(doc, selectedId);
  const secretNames = useMemo(() => (secrets.data?.items ?? []).map((s) => s.name), [secrets.data]);
  const suggestions = useCallback(
    () => templateSuggestions(doc, selectedId, catalog, secretNames),
    [doc, selectedId, catalog, secretNames],
  );

  const name = typeof doc.name === 'string' && doc.name ? doc.name : undefined;
  const title = isNew ? (name ? `New workflow: ${name}` : 'New workflow') : (detail?.name ?? '');
  const status = [
    isNew
      ? 'Not saved yet'
      : `Version ${saved.version}${detail && detail.latestVersion > saved.version ? ` (latest is ${detail.latestVersion})` : ''}`,
    detail?.archived ? 'archived' : undefined,
  ]
    .filter(Boolean)
    .join(' · ');

  return (
    <div className="builder">
      <LeaveGuard dirty={dirty} />
      <PageHeader
        title={title}
        description={
          <>
            {status}
            {dirty && (
              <span className="bf-dirty" role="status">
                <span aria-hidden="true">●</span> Unsaved changes
              </span>
            )}
          </>
        }
        actions={
          <>
            <button
              type="button"
              className="btn"
              onClick={history.undo}
              disabled={!history.canUndo}
              title="Undo (Ctrl+Z)"
            >
              Undo
            </button>
            <button
              type="button"
              className="btn"
              onClick={history.redo}
              disabled={!history.canRedo}
              title="Redo (Ctrl+Shift+Z)"
            >
              Redo
            </button>
            <button
              type="button"
              className="btn"
              onClick={tidy}
              title="Lay out the whole graph again (L)"
            >
              Tidy up
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => setHelp(true)}
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
            >
              ?
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => setRunning(true)}
              disabled={isNew || !canEdit}
              title={isNew ? 'Save the workflow first' : 'Start a run of the saved version'}
            >
              Run
            </button>
            <button
              type="button"
              className="btn btn-primary"
              onClick={trySave}
              disabled={saving || !canEdit}
              title={canEdit ? 'Save a new version (Ctrl+S)' : 'Operators and above can save'}
            >
              {saving ? 'Saving…' : 'Save'}
            </button>
          </>
        }
      />
      <Tabs
        label="Builder views"
        value={tab}
        onChange={setTab}
        tabs={[
          { id: 'canvas', label: 'Canvas' },
          { id: 'yaml', label: 'YAML' },
          { id: 'versions', label: `Versions${detail ? ` (${detail.versions.length})` : ''}` },
        ]}
      >
        <SuggestionsContext.Provider value={suggestions}>
          {tab === 'canvas' && (
            <div className="bf-main">
              <Palette catalog={catalog} onAdd={addAction} />
              <div className="bf-center">
                <Canvas
                  doc={doc}
                  catalog={catalog}
                  problems={validation.problems}
                  positions={positions}
                  selection={selection}
                  onSelect={setSelection}
                  onAddAction={addAction}
                  onConnect={onConnect}
                  onMoved={onMoved}
                />
                <ProblemsBar
                  problems={validation.problems}
                  checking={validation.checking}
                  checked={validation.checked}
                  failure={validation.failure}
                  onSelect={focusProblem}
                />
              </div>
              <aside className="bf-panel" aria-label="Properties" ref={panelRef}>
                {selectedNode ? (
                  <NodePanel
                    key={selectedNode.id}
                    doc={doc}
                    node={selectedNode}
                    meta={catalog.byKey.get(`${selectedNode.agent}.${selectedNode.action}`)}
                    loading={catalog.isPending}
                    problems={validation.problems.byNode.get(selectedNode.id) ?? []}
                    update={history.update}
                    onRenamed={(id) => setSelection({ kind: 'node', id })}
                    onRemove={removeNode}
                    onFocusProblem={focusProblem}
                  />
                ) : selection?.kind === 'edge' ? (
                  <div className="bf-panel-body" role="region" aria-label="Connection">
                    <h2>Connection</h2>
                    <p>
                      <code>{selection.target}</code> runs after <code>{selection.source}</code> and
                      its templates may read <code>nodes.{selection.source}.output</code>.
                    </p>
                    <button type="button" className="btn btn-danger" onClick={removeSelection}>
                      Remove connection
                    </button>
                  </div>
                ) : (
                  <WorkflowPanel
                    doc={doc}
                    isNew={isNew}
                    problems={validation.problems.workflow}
                    update={history.update}
                    onFocusProblem={focusProblem}
                  />
                )}
              </aside>
            </div>
          )}
          {tab === 'yaml' && (
            <div className="bf-yaml-main">
              <Suspense fallback={<Loading label="Loading the YAML editor…" />}>
                <YamlTab doc={doc} onChange={commit} draft={yamlDraft} />
              </Suspense>
              <ProblemsBar
                problems={validation.problems}
                checking={validation.checking}
                checked={validation.checked}
                failure={validation.failure}
                onSelect={focusProblem}
              />
            </div>
          )}
          {tab === 'versions' && (
            <VersionsTab
              name={detail?.name}
              versions={detail?.versions ?? []}
              onRestore={(d, v) => {
                commit(d);
                setTab('canvas');
                toast.info(`Version ${v} is in the editor; save to make it the latest version.`);
              }}
            />
          )}
        </SuggestionsContext.Provider>
      </Tabs>
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} />
      {running && name && (
        <RunDialog
          open
          onClose={() => setRunning(false)}
          name={name}
          version={saved.version}
          inputs={(dirty ? saved.doc : doc).inputs}
          dirty={dirty}
          save={save}
        />
      )}
    </div>
  );
}
