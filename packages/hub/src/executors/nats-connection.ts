import { connect, type NatsConnection } from '@nats-io/transport-node';

/** Options of {@link LazyNatsConnection}. */
export interface LazyNatsConnectionOptions {
  /** NATS server URL(s), comma-separated (`nats://127.0.0.1:4222`). */
  servers: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name?: string;
  /** Called when the connection drops: requests waiting for a reply will not get one. */
  onDisconnect?: () => void;
}

/**
 * One NATS connection opened on first use and shared afterwards. Reconnection is the client's
 * job (it retries forever); this class tracks whether the connection is currently up so callers
 * can fail fast instead of queueing requests into a dead link.
 */
export class LazyNatsConnection {
  private pending: Promise<NatsConnection> | undefined;
  private current: NatsConnection | undefined;
  private up = false;
  private closing = false;

  constructor(private readonly opts: LazyNatsConnectionOptions) {}

  /** The server list, for error messages. */
  get servers(): string {
    return this.opts.servers;
  }

  /** Whether a connection exists and is not disconnected right now. */
  get connected(): boolean {
    return this.up && this.current !== undefined && !this.current.isClosed();
  }

  /** The connection, opening it when needed. Rejects when the servers cannot be reached. */
  get(): Promise<NatsConnection> {
    if (this.closing) return Promise.reject(new Error('this NATS connection was closed'));
    if (this.current && !this.current.isClosed()) return Promise.resolve(this.current);
    this.pending ??= this.open().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drains the connection (pending replies are delivered first) and refuses new use. */
  async close(): Promise<void> {
    this.closing = true;
    const nc = this.current ?? (await this.pending?.catch(() => undefined));
    this.current = undefined;
    if (!nc || nc.isClosed()) return;
    // Draining needs the server; while the client is reconnecting there is nothing to drain.
    if (this.up) await nc.drain().catch(() => nc.close());
    else await nc.close();
  }

  private async open(): Promise<NatsConnection> {
    const nc = await connect({
      servers: this.opts.servers.split(',').map((s) => s.trim()),
      name: this.opts.name ?? 'commandcenter-hub',
      maxReconnectAttempts: -1,
    });
    if (this.closing) {
      await nc.close();
      throw new Error('this NATS connection was closed');
    }
    this.current = nc;
    this.up = true;
    void this.watch(nc).catch(() => {
      this.up = false;
    });
    return nc;
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.up = false;
        this.opts.onDisconnect?.();
      } else if (status.type === 'reconnect') {
        this.up = true;
      }
    }
    // The iterator ends when the connection closes; the next get() opens a new one.
    if (this.current === nc) {
      this.current = undefined;
      this.up = false;
    }
  }
}
