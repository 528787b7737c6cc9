import {
  CCError,
  canonicalJson,
  parseWorkflowText,
  validateAgentManifest,
  validateWorkflow,
  workflowContentHash,
  type AgentManifest,
  type CCEvent,
  type WorkflowDefinition,
} from '@commandcenter/protocol';
import type { Store } from '../store/port.js';
import { deactivateTriggers, syncTriggers } from '../triggers/trigger-store.js';

export interface ApplyResult<T> {
  name: string;
  version: number | string;
  created: boolean;
  /** An archived workflow applied again with unchanged content is restored. */
  restored?: boolean;
  definition: T;
  events: CCEvent[];
}

/**
 * Workflows and agents: validated, versioned, immutable once stored. Versions never change, so
 * they are cached forever; "latest" is cached too and re-checked by the store on every run
 * creation (see cc_create_run's expectLatest).
 */
export class Catalog {
  private readonly definitions = new Map<string, Promise<WorkflowDefinition>>();
  private readonly latest = new Map<string, number>();
  private readonly agents = new Map<string, Promise<AgentManifest>>();

  /** Manifests of the agents shipped with the hub, registered in every project. */
  private builtins: readonly unknown[] = [];

  constructor(private readonly store: Store) {}

  /**
   * Sets the agents shipped with the hub (see `agents/index.ts`). They are registered in every
   * project: existing ones now ({@link installBuiltinsEverywhere}), new ones when created.
   */
  setBuiltins(manifests: readonly unknown[]): void {
    this.builtins = manifests;
    this.normalizedBuiltins = undefined;
  }

  /** Creates the project if it does not exist, with the built-in agents registered in it. */
  async ensureProject(project: string): Promise<void> {
    const r = await this.store.query(
      'INSERT INTO projects (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id',
      [project],
    );
    if (r.rows.length > 0) await this.installBuiltins(project);
  }

  /**
   * Registers the built-in agents in a project; versions it has already are left alone, so this
   * is cheap to repeat and emits `agent.registered` only for new versions.
   */
  async installBuiltins(project: string): Promise<void> {
    if (this.builtins.length === 0) return;
    const latest = await this.store.query<{
      name: string;
      version: string;
      manifest: AgentManifest;
    }>(
      `SELECT DISTINCT ON (name) name, version, manifest FROM agents WHERE project = $1
        ORDER BY name, seq DESC`,
      [project],
    );
    const byName = new Map(latest.rows.map((r) => [r.name, r]));
    for (const m of this.builtinManifests()) {
      const cur = byName.get(m.name);
      if (cur?.version === m.version) continue;
      // A project's own agent of the same name wins: only an earlier built-in version (same type
      // and description) is upgraded.
      if (cur && (cur.manifest.type !== m.type || cur.manifest.description !== m.description)) {
        continue;
      }
      await this.registerAgent(project, m.source);
    }
  }

  /** Registers the built-in agents in every existing project (at hub start). */
  async installBuiltinsEverywhere(): Promise<void> {
    const r = await this.store.query<{ id: string }>('SELECT id FROM projects ORDER BY id');
    for (const p of r.rows) await this.installBuiltins(p.id);
  }

  /** The latest manifest of every agent of a project (for apply-time validation). */
  async latestAgents(project: string): Promise<Map<string, AgentManifest>> {
    const r = await this.store.query<{ name: string; manifest: AgentManifest }>(
      `SELECT DISTINCT ON (name) name, manifest FROM agents WHERE project = $1 ORDER BY name, seq DESC`,
      [project],
    );
    const agents = new Map(r.rows.map((row) => [row.name, row.manifest]));
    // A project that does not exist yet gets the built-ins when the apply creates it.
    for (const m of this.builtinManifests()) if (!agents.has(m.name)) agents.set(m.name, m);
    return agents;
  }

  private normalizedBuiltins: AgentManifest[] | undefined;
  private builtinManifests(): AgentManifest[] {
    this.normalizedBuiltins ??= this.builtins.flatMap((doc) => {
      const v = validateAgentManifest(doc);
      return v.ok ? [v.agent] : [];
    });
    return this.normalizedBuiltins;
  }

  /** Validates and stores a workflow; unchanged content creates no version. */
  async applyWorkflow(project: string, doc: unknown): Promise<ApplyResult<WorkflowDefinition>> {
    const parsed = typeof doc === 'string' ? parseWorkflowText(doc) : doc;
    const agents = await this.latestAgents(project);
    const result = validateWorkflow(parsed, { agents: (name) => agents.get(name) });
    if (!result.ok) throw CCError.invalid('CC_E_WORKFLOW_INVALID', result.problems);
    await this.ensureProject(project);
    const wf = result.workflow;
    const hash = workflowContentHash(wf);
    const out = await this.store.transaction(async (tx) => {
      await tx.query('INSERT INTO projects (id) VALUES ($1) ON CONFLICT DO NOTHING', [project]);
      await tx.query(
        `INSERT INTO workflows (project, name, latest_version) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`,
        [project, wf.name],
      );
      const cur = await tx.query<{
        latest_version: number;
        archived_at: Date | null;
        hash: string | null;
      }>(
        `SELECT w.latest_version, w.archived_at, v.hash FROM workflows w
           LEFT JOIN workflow_versions v ON v.project = w.project AND v.name = w.name AND v.version = w.latest_version
          WHERE w.project = $1 AND w.name = $2 FOR UPDATE OF w`,
        [project, wf.name],
      );
      const row = cur.rows[0]!;
      if (row.hash === hash) {
        if (row.archived_at) {
          await tx.query(
            'UPDATE workflows SET archived_at = NULL, updated_at = now() WHERE project = $1 AND name = $2',
            [project, wf.name],
          );
          await syncTriggers(tx, project, wf, row.latest_version);
        }
        return { version: row.latest_version, created: false, restored: row.archived_at !== null };
      }
      const version = row.latest_version + 1;
      await tx.query(
        `INSERT INTO workflow_versions (project, name, version, hash, definition, source)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)`,
        [project, wf.name, version, hash, JSON.stringify(wf), JSON.stringify(parsed)],
      );
      await tx.query(
        `UPDATE workflows SET latest_version = $3, archived_at = NULL, updated_at = now()
          WHERE project = $1 AND name = $2`,
        [project, wf.name, version],
      );
      await syncTriggers(tx, project, wf, version);
      return { version, created: true, restored: row.archived_at !== null };
    });
    this.latest.set(`${project}/${wf.name}`, out.version);
    return {
      name: wf.name,
      version: out.version,
      created: out.created,
      restored: out.restored,
      definition: wf,
      events: [],
    };
  }

  /** Archives a workflow: no new runs; history and running runs stay. */
  async archiveWorkflow(project: string, name: string): Promise<void> {
    const found = await this.store.transaction(async (tx) => {
      const r = await tx.query(
        'UPDATE workflows SET archived_at = now(), updated_at = now() WHERE project = $1 AND name = $2',
        [project, name],
      );
      if (r.rowCount === 0) return false;
      await deactivateTriggers(tx, project, name);
      return true;
    });
    if (!found) throw CCError.notFound(`workflow ${name}`);
    this.latest.delete(`${project}/${name}`);
  }

  /** One immutable version's normalized definition. */
  definition(project: string, name: string, version: number): Promise<WorkflowDefinition> {
    const k = `${project}/${name}@${version}`;
    let p = this.definitions.get(k);
    if (!p) {
      p = this.store
        .query<{ definition: WorkflowDefinition }>(
          'SELECT definition FROM workflow_versions WHERE project = $1 AND name = $2 AND version = $3',
          [project, name, version],
        )
        .then((r) => {
          if (!r.rows[0]) throw CCError.notFound(`workflow ${name} version ${version}`);
          return r.rows[0].definition;
        });
      p.catch(() => this.definitions.delete(k));
      this.definitions.set(k, p);
    }
    return p;
  }

  /** The latest version number: from the cache unless `refresh`. */
  async latestVersion(project: string, name: string, refresh = false): Promise<number> {
    const k = `${project}/${name}`;
    const cached = this.latest.get(k);
    if (cached !== undefined && !refresh) return cached;
    const r = await this.store.query<{ latest_version: number; archived_at: Date | null }>(
      'SELECT latest_version, archived_at FROM workflows WHERE project = $1 AND name = $2',
      [project, name],
    );
    const row = r.rows[0];
    if (!row || row.latest_version === 0) throw CCError.notFound(`workflow ${name}`);
    if (row.archived_at) {
      throw new CCError('CC_E_WORKFLOW_ARCHIVED', {
        detail: `workflow ${name} is archived; apply it again to start runs`,
      });
    }
    this.latest.set(k, row.latest_version);
    return row.latest_version;
  }

  /** Validates and registers an agent version. Versions are immutable. */
  async registerAgent(project: string, doc: unknown): Promise<ApplyResult<AgentManifest>> {
    const result = validateAgentManifest(doc);
    if (!result.ok) throw CCError.invalid('CC_E_AGENT_INVALID', result.problems);
    const agent = result.agent;
    // A project this creates gets the built-in agents too (a no-op when it exists).
    await this.ensureProject(project);
    return this.store.transaction(async (tx) => {
      await tx.query('INSERT INTO projects (id) VALUES ($1) ON CONFLICT DO NOTHING', [project]);
      await tx.query(
        `SELECT pg_advisory_xact_lock(hashtext('cc-agent-register:' || $1 || '/' || $2))`,
        [project, agent.name],
      );
      const existing = await tx.query<{ manifest: AgentManifest }>(
        'SELECT manifest FROM agents WHERE project = $1 AND name = $2 AND version = $3',
        [project, agent.name, agent.version],
      );
      let created = true;
      if (existing.rows[0]) {
        if (canonicalJson(existing.rows[0].manifest) !== canonicalJson(agent)) {
          throw new CCError('CC_E_CONFLICT', {
            detail:
              `agent ${agent.name} version ${agent.version} is already registered with a different ` +
              'manifest; versions are immutable, so bump the version to register a change',
          });
        }
        created = false;
      } else {
        await tx.query(
          `INSERT INTO agents (project, name, version, seq, manifest)
           VALUES ($1, $2, $3, (SELECT coalesce(max(seq), 0) + 1 FROM agents WHERE project = $1 AND name = $2), $4::jsonb)`,
          [project, agent.name, agent.version, JSON.stringify(agent)],
        );
      }
      await tx.query(`SELECT cc_emit($1, 'agent.registered', NULL, $2::jsonb)`, [
        project,
        JSON.stringify({ name: agent.name, version: agent.version, type: agent.type, created }),
      ]);
      const ev = await tx.query<{ events: CCEvent[] }>('SELECT cc_take_events() AS events');
      return {
        name: agent.name,
        version: agent.version,
        created,
        definition: agent,
        events: ev.rows[0]!.events,
      };
    });
  }

  /** One registered agent version (immutable, cached). */
  agent(project: string, name: string, version: string): Promise<AgentManifest> {
    const k = `${project}/${name}@${version}`;
    let p = this.agents.get(k);
    if (!p) {
      p = this.store
        .query<{ manifest: AgentManifest }>(
          'SELECT manifest FROM agents WHERE project = $1 AND name = $2 AND version = $3',
          [project, name, version],
        )
        .then((r) => {
          if (!r.rows[0]) throw CCError.notFound(`agent ${name} version ${version}`);
          return r.rows[0].manifest;
        });
      p.catch(() => this.agents.delete(k));
      this.agents.set(k, p);
    }
    return p;
  }
}
