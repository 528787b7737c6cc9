import type { ProjectInterest } from '../bus/event-bus.js';
import type { TriggerRow, TriggerStore } from './trigger-store.js';

/** An active `event:` trigger: its row, whose spec carries the subject pattern. */
export type EventTrigger = TriggerRow & { spec: { kind: 'event'; event: string; when?: string } };

/**
 * The active event triggers of every project, read from the `triggers` table and kept for
 * `maxAgeMs` (one query per period, however many messages arrive): pausing, applying or archiving
 * a workflow reaches the bus within that time, or at once after {@link EventTriggerIndex.refresh}.
 */
export class EventTriggerIndex {
  private byProject: Map<string, EventTrigger[]> | undefined;
  private loadedAt = 0;
  private loading: Promise<Map<string, EventTrigger[]>> | undefined;

  constructor(
    private readonly triggers: TriggerStore,
    private readonly maxAgeMs = 2000,
  ) {}

  /** The active event triggers of a project (paused ones included: the firer records them). */
  async of(project: string): Promise<readonly EventTrigger[]> {
    return (await this.current()).get(project) ?? [];
  }

  /** Projects with active event triggers: their distinct subject patterns, and last change. */
  async interest(): Promise<Map<string, ProjectInterest>> {
    const out = new Map<string, ProjectInterest>();
    for (const [project, list] of await this.current()) {
      out.set(project, {
        patterns: [...new Set(list.map((t) => t.spec.event))].sort(),
        since: new Date(Math.max(...list.map((t) => new Date(t.updatedAt).getTime()))),
      });
    }
    return out;
  }

  /** Reads the table now. */
  async refresh(): Promise<void> {
    await this.loading?.catch(() => {}); // it may have read the table before the caller's change
    this.loadedAt = 0;
    await this.current();
  }

  private async current(): Promise<Map<string, EventTrigger[]>> {
    if (this.byProject && performance.now() - this.loadedAt < this.maxAgeMs) return this.byProject;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<Map<string, EventTrigger[]>> {
    const startedAt = performance.now();
    const rows = (await this.triggers.active('event')) as EventTrigger[];
    const byProject = new Map<string, EventTrigger[]>();
    for (const t of rows) {
      const list = byProject.get(t.project);
      if (list) list.push(t);
      else byProject.set(t.project, [t]);
    }
    this.byProject = byProject;
    this.loadedAt = startedAt;
    return byProject;
  }
}
