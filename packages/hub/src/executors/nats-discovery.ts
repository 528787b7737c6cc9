/**
 * Discovery of agents served over NATS: every NATS micro service whose metadata carries an agent
 * manifest (`cc.manifest`) and a project (`cc.project`) — what `serveNatsAgent` advertises.
 */
import { canonicalJson, isValidName, validateAgentManifest } from '@commandcenter/protocol';
import type { ServiceInfo } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { LazyNatsConnection } from './nats-connection.js';
import { natsAgentSubject } from './nats-executor.js';
import { natsManifestKey, natsProjectKey, servicesOf } from './nats-service-agent.js';

/** An agent found on NATS. */
export interface DiscoveredNatsAgent {
  project: string;
  /** The manifest document (type `nats`), ready for `catalog.registerAgent`. */
  manifest: Record<string, unknown>;
  /** Id of the first service instance that advertised it. */
  serviceId: string;
}

/** A service instance that advertises an agent manifest that cannot be used. */
export interface InvalidNatsService {
  id: string;
  name: string;
  reason: string;
}

/** Options of {@link discoverNatsAgents}. */
export interface DiscoverNatsAgentsOptions {
  /** How long to wait for the services' answers, in milliseconds (default 2000). */
  maxWaitMs?: number;
  /** Called for each instance whose metadata carries an unusable manifest. */
  onInvalid?: (service: InvalidNatsService) => void;
}

/**
 * Asks every NATS service for its info (`$SRV.INFO`) and returns the agents they advertise, one
 * per project, name and version (instances of the same agent are one entry). Services without a
 * `cc.manifest` are not agents and are ignored; a manifest that is not JSON, fails validation
 * (with its type forced to `nats`), lacks a valid `cc.project`, is not served on the subject the
 * hub will call, or differs from another instance's of the same version goes to `onInvalid`.
 */
export async function discoverNatsAgents(
  nc: NatsConnection,
  opts: DiscoverNatsAgentsOptions = {},
): Promise<DiscoveredNatsAgent[]> {
  const client = servicesOf(nc).client({
    strategy: 'stall',
    maxWait: opts.maxWaitMs ?? 2000,
  });
  const found = new Map<string, DiscoveredNatsAgent>();
  let infos: AsyncIterable<ServiceInfo>;
  try {
    infos = await client.info();
    for await (const info of infos) {
      const result = readService(info);
      if (!result) continue;
      if ('reason' in result) {
        opts.onInvalid?.(result);
        continue;
      }
      const key = `${result.project}/${String(result.manifest.name)}@${String(result.manifest.version)}`;
      const seen = found.get(key);
      if (!seen) found.set(key, result);
      else if (canonicalJson(seen.manifest) !== canonicalJson(result.manifest)) {
        opts.onInvalid?.({
          id: info.id,
          name: info.name,
          reason:
            `it advertises ${key} with a manifest that differs from instance ${seen.serviceId}'s; ` +
            'give the changed manifest a new version',
        });
      }
    }
  } catch (err) {
    // No service at all answers the discovery request: nothing to register.
    if ((err as { isNoResponders?: () => boolean }).isNoResponders?.()) return [];
    throw err;
  }
  return [...found.values()];
}

function readService(info: ServiceInfo): DiscoveredNatsAgent | InvalidNatsService | undefined {
  const raw = info.metadata?.[natsManifestKey];
  if (raw === undefined) return undefined;
  const invalid = (reason: string): InvalidNatsService => ({
    id: info.id,
    name: info.name,
    reason,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    return invalid(`its ${natsManifestKey} metadata is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid(`its ${natsManifestKey} metadata is not a JSON object`);
  }
  const project = info.metadata?.[natsProjectKey];
  if (project === undefined || !isValidName(project)) {
    return invalid(
      `its ${natsProjectKey} metadata ${project === undefined ? 'is missing' : `"${project}" is not a valid project name`}; ` +
        'set it to the project the agent serves',
    );
  }
  const manifest = { ...(parsed as Record<string, unknown>), type: 'nats' };
  const checked = validateAgentManifest(manifest);
  if (!checked.ok) {
    const problems = checked.problems.map((p) => `${p.path || '(manifest)'}: ${p.message}`);
    return invalid(`its manifest is invalid: ${problems.join('; ')}`);
  }
  if (checked.agent.type !== 'nats') return invalid('its manifest is not a nats agent');
  const subject = natsAgentSubject(checked.agent, project);
  const subjects = (info.endpoints ?? []).map((e) => e.subject);
  if (!subjects.includes(subject)) {
    return invalid(
      `the hub would call ${subject}, but the service listens on ${subjects.join(', ') || 'no subject'}; ` +
        'serve the agent on that subject or set runtime.subject in its manifest',
    );
  }
  return { project, manifest, serviceId: info.id };
}

/** Options of {@link NatsAgentDiscovery}: a connection (`nc`) or servers to connect to. */
export interface NatsAgentDiscoveryOptions {
  /** A connection to use (not closed by `stop()`). */
  nc?: NatsConnection;
  /** NATS server URL(s) to connect to when no `nc` is given (closed by `stop()`). */
  servers?: string;
  /** Registers a found agent (the hub passes `catalog.registerAgent`). */
  register: (project: string, manifest: Record<string, unknown>) => Promise<unknown>;
  /** Time between discovery rounds, in milliseconds (default 30 000). */
  intervalMs?: number;
  /** How long each round waits for the services' answers (default 2000 ms). */
  maxWaitMs?: number;
  log?: (line: string) => void;
}

/** What one discovery round did. */
export interface NatsDiscoveryRound {
  found: DiscoveredNatsAgent[];
  /** Agents passed to `register` in this round (new or changed since the last success). */
  registered: DiscoveredNatsAgent[];
  /** Registrations that failed (tried again next round). */
  failed: Array<{ agent: DiscoveredNatsAgent; error: string }>;
}

/**
 * Runs {@link discoverNatsAgents} once at start and then every `intervalMs`, and registers what
 * it finds. An agent is registered again only when its manifest changed (registration publishes
 * `agent.registered`, which must not repeat every round) or its last registration failed. An
 * invalid manifest is logged once per service instance; a failed round is logged when its error
 * changes. `stop()` waits for the running round and closes a connection it opened.
 */
export class NatsAgentDiscovery {
  private readonly registered = new Map<string, string>();
  private readonly reported = new Set<string>();
  /** The last registration error per agent, so a lasting one is logged once. */
  private readonly failures = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<unknown> | undefined;
  private stopped = false;
  private lastError = '';
  private readonly conn: LazyNatsConnection | undefined;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: NatsAgentDiscoveryOptions) {
    if (!opts.nc && !opts.servers) {
      throw new Error('NatsAgentDiscovery needs a connection (nc) or NATS servers (servers)');
    }
    this.conn = opts.nc
      ? undefined
      : new LazyNatsConnection({ servers: opts.servers!, name: 'commandcenter-discovery' });
    this.log = opts.log ?? ((line) => console.log(line));
  }

  /** Runs the first round (never rejects: failures are logged) and schedules the next ones. */
  async start(): Promise<void> {
    await this.tick();
  }

  /** One discovery round now; rejects when NATS cannot be asked. */
  async runOnce(): Promise<NatsDiscoveryRound> {
    const nc = this.opts.nc ?? (await this.conn!.get());
    const seen = new Set<string>();
    const found = await discoverNatsAgents(nc, {
      ...(this.opts.maxWaitMs !== undefined ? { maxWaitMs: this.opts.maxWaitMs } : {}),
      onInvalid: (s) => {
        seen.add(s.id);
        if (this.reported.has(s.id)) return;
        this.reported.add(s.id);
        this.log(`nats discovery: ignoring service ${s.name} (instance ${s.id}): ${s.reason}`);
      },
    });
    // Forget instances that are gone, so the set does not grow with every restart of an agent.
    for (const id of this.reported) if (!seen.has(id)) this.reported.delete(id);
    const out: NatsDiscoveryRound = { found, registered: [], failed: [] };
    for (const agent of found) {
      const key = `${agent.project}/${String(agent.manifest.name)}`;
      const content = canonicalJson(agent.manifest);
      if (this.registered.get(key) === content) continue;
      try {
        await this.opts.register(agent.project, agent.manifest);
        this.registered.set(key, content);
        this.failures.delete(key);
        out.registered.push(agent);
        this.log(
          `nats discovery: registered ${key} ${String(agent.manifest.version)} (service ${agent.serviceId})`,
        );
      } catch (err) {
        const error = String((err as Error)?.message ?? err);
        out.failed.push({ agent, error });
        if (this.failures.get(key) !== error) {
          this.log(`nats discovery: cannot register ${key}: ${error}`);
        }
        this.failures.set(key, error);
      }
    }
    return out;
  }

  /** Stops the rounds; waits for a running one; closes the connection it opened. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round?.catch(() => {});
    await this.conn?.close();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.round = this.runOnce().then(
      () => {
        if (this.lastError) this.log('nats discovery: NATS answers again');
        this.lastError = '';
      },
      (err: unknown) => {
        const error = String((err as Error)?.message ?? err);
        if (error !== this.lastError) this.log(`nats discovery: round failed: ${error}`);
        this.lastError = error;
      },
    );
    await this.round;
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), this.opts.intervalMs ?? 30_000);
    this.timer.unref();
  }
}
