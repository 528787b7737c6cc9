import {
  CCError,
  effectiveProjectSettings,
  type ApprovalPolicy,
  type ProjectSettings,
  type ProjectSettingsPatch,
} from '@commandcenter/protocol';
import type { Store } from '../store/port.js';

interface Entry {
  at: number;
  value: Promise<ProjectSettings>;
}

/**
 * Project settings as steps see them: read from `projects.settings`, cached for `ttlMs` so the
 * hot path does not query per step. A change made through this process applies at once; one made
 * by another process within `ttlMs`.
 */
export class ProjectSettingsCache {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly store: Store,
    /** The hub-wide approval policy projects start from (engine option). */
    private readonly basePolicy?: Partial<ApprovalPolicy>,
    private readonly ttlMs = 5_000,
  ) {}

  /** The effective settings of a project (defaults for what it does not set). */
  get(project: string): Promise<ProjectSettings> {
    const hit = this.cache.get(project);
    if (hit && performance.now() - hit.at < this.ttlMs) return hit.value;
    const value = this.load(project);
    this.cache.set(project, { at: performance.now(), value });
    value.catch(() => this.cache.delete(project));
    return value;
  }

  /** What the project set itself (no defaults), for the API. */
  async stored(project: string): Promise<ProjectSettingsPatch> {
    const r = await this.store.query<{ settings: ProjectSettingsPatch }>(
      'SELECT settings FROM projects WHERE id = $1',
      [project],
    );
    if (!r.rows[0]) throw CCError.notFound(`project ${project}`);
    return r.rows[0].settings;
  }

  /** Merges `patch` into the stored settings and returns the new effective settings. */
  async update(project: string, patch: ProjectSettingsPatch): Promise<ProjectSettings> {
    const r = await this.store.query<{ settings: ProjectSettingsPatch }>(
      `UPDATE projects SET settings = settings
           || jsonb_strip_nulls(jsonb_build_object('egressAllowHosts', $2::jsonb))
           || CASE WHEN $3::jsonb IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('approvalPolicy',
                coalesce(settings->'approvalPolicy', '{}'::jsonb) || $3::jsonb) END
        WHERE id = $1 RETURNING settings`,
      [
        project,
        patch.egressAllowHosts ? JSON.stringify(patch.egressAllowHosts) : null,
        patch.approvalPolicy ? JSON.stringify(patch.approvalPolicy) : null,
      ],
    );
    if (!r.rows[0]) throw CCError.notFound(`project ${project}`);
    this.cache.delete(project);
    return this.effective(r.rows[0].settings);
  }

  private async load(project: string): Promise<ProjectSettings> {
    const r = await this.store.query<{ settings: ProjectSettingsPatch }>(
      'SELECT settings FROM projects WHERE id = $1',
      [project],
    );
    return this.effective(r.rows[0]?.settings ?? {});
  }

  private effective(stored: ProjectSettingsPatch): ProjectSettings {
    const s = effectiveProjectSettings(stored);
    if (!this.basePolicy) return s;
    return {
      ...s,
      approvalPolicy: {
        ...s.approvalPolicy,
        ...this.basePolicy,
        ...(stored.approvalPolicy ?? {}),
      } as ApprovalPolicy,
    };
  }
}
