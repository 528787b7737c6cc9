/** What the builder knows of an action (types only: shared by the catalog and pure modules). */
import type { Risk } from '@commandcenter/protocol/client';

/** A JSON Schema as written in manifests. */
export type Schema = Record<string, unknown> | boolean;

export interface ActionMeta {
  agent: string;
  action: string;
  /** `agent.action`, the palette's name of it. */
  key: string;
  risk: Risk;
  description?: string;
  input?: Schema;
  output?: Schema;
}

/** Registered actions by `agent.action`. */
export interface ActionLookup {
  byKey: ReadonlyMap<string, ActionMeta>;
}
