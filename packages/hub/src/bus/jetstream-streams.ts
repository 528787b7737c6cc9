import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamInfo,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { streamName, streamSubjects } from './subjects.js';

/** Settings of the streams the hub creates (one per project). */
export interface StreamSettings {
  /**
   * How long a stream keeps messages (default 7 days): events older than that are gone for a
   * hub that was down longer.
   */
  maxAgeMs?: number;
  /**
   * JetStream's duplicate window (default 10 minutes): a message whose id was stored within it
   * is dropped. Triggers also deduplicate by message id without a time limit (runs' idempotency
   * keys).
   */
  duplicateWindowMs?: number;
  /** Replicas of each stream in a JetStream cluster (default 1). */
  replicas?: number;
}

/** A project's stream as the hub uses it. */
export interface StreamRef {
  name: string;
  /** When the stream was created (ISO): tells a re-created stream's sequence numbers apart. */
  created: string;
  subjects: string[];
}

const DAY_MS = 86_400_000;

/**
 * The JetStream stream of each project (`CC_<PROJECT>`, see {@link streamName}), created on
 * demand and kept capturing what the project's event triggers need ({@link streamSubjects}).
 * Creating and updating are idempotent, so any number of hub processes may do it concurrently.
 */
export class ProjectStreams {
  private readonly known = new Map<string, Promise<StreamRef>>();

  constructor(
    private readonly jsm: () => Promise<JetStreamManager>,
    /** The subject patterns of the project's active event triggers. */
    private readonly patternsOf: (project: string) => Promise<readonly string[]>,
    private readonly settings: StreamSettings = {},
  ) {}

  /** The stream of a project, created when missing (checked once per process, then cached). */
  ensure(project: string): Promise<StreamRef> {
    let p = this.known.get(project);
    if (!p) {
      p = this.sync(project, undefined, true);
      this.known.set(project, p);
      p.catch(() => {
        if (this.known.get(project) === p) this.known.delete(project);
      });
    }
    return p;
  }

  /** Creates the stream, or updates its subjects to what `patterns` (default: the DB's) need. */
  async sync(
    project: string,
    patterns?: readonly string[],
    createOnly = false,
  ): Promise<StreamRef> {
    const jsm = await this.jsm();
    const name = streamName(project);
    const subjects = streamSubjects(project, patterns ?? (await this.patternsOf(project)));
    let info = await this.info(jsm, name);
    if (!info) {
      try {
        info = await jsm.streams.add({
          name,
          subjects,
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          max_age: nanos(this.settings.maxAgeMs ?? 7 * DAY_MS),
          duplicate_window: nanos(this.settings.duplicateWindowMs ?? 600_000),
          num_replicas: this.settings.replicas ?? 1,
          description: `CommandCenter events of project ${project} (cc.${project}.>)`,
        });
      } catch (err) {
        // Another process may have created it first: then use theirs.
        info = await this.info(jsm, name).catch(() => undefined);
        if (!info) throw streamError(`create the JetStream stream ${name}`, project, subjects, err);
      }
    }
    if (!createOnly && !sameSet(info.config.subjects ?? [], subjects)) {
      try {
        info = await jsm.streams.update(name, { ...info.config, subjects });
      } catch (err) {
        throw streamError(
          `update the subjects of the JetStream stream ${name}`,
          project,
          subjects,
          err,
        );
      }
    }
    const ref = { name, created: info.created, subjects: info.config.subjects ?? [] };
    this.known.set(project, Promise.resolve(ref));
    return ref;
  }

  /** Forgets what is known of a project's stream (it was deleted, or a publish failed). */
  forget(project: string): void {
    this.known.delete(project);
  }

  private async info(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
    try {
      return await jsm.streams.info(name);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) {
        return undefined;
      }
      throw err;
    }
  }
}

function streamError(what: string, project: string, subjects: string[], err: unknown): Error {
  return new Error(
    `cannot ${what} to ${subjects.join(', ')}: ${(err as Error).message}. If another stream ` +
      `captures some of these subjects, remove it or narrow its subjects: cc.${project}.* events ` +
      `belong to ${streamName(project)}.`,
    { cause: err },
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
