/**
 * The gateway's one Redis connection (REDIS_URL, or a Redis Cluster: REDIS_CLUSTER_NODES), shared by
 * every feature that keeps state across replicas: persisted queries, trusted documents' lookups, the
 * response cache, rate limits. `redis-connection.ts` makes the client, the same way for both kinds.
 *
 * Redis is never a dependency of serving a request. Every command has a deadline (REDIS_TIMEOUT_MS);
 * nothing queues while Redis is away (`enableOfflineQueue: false`), so a command fails at once instead
 * of waiting. The first failure marks Redis down — logged once, shown by `GET /health/redis` — and
 * while it is down `available` is false, so features skip it and use their in-process fallback (no
 * cache, per-process limits) without paying a timeout per request. A ping every second finds it back;
 * the client itself reconnects forever. Nothing here needs a restart.
 *
 * The gateway starts while Redis is unreachable (degraded, logged), rather than refusing to start:
 * an outage must not turn a gateway restart into an outage of the graph.
 */
import { logger } from '../platform/logger';
import { createRedisClient, describeRedisTarget, isCluster, type RedisClient, type RedisTarget } from './redis-connection';

/** Production reconnect schedule: 200 ms more per attempt, capped at 2 s, forever. */
export const defaultRetryDelay = (attempt: number): number => Math.min(attempt * 200, 2000);

/** How long one Redis command may take before it counts as failed (REDIS_TIMEOUT_MS). */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;

/** Commands past their deadline in a row that count as Redis being down. */
const SLOW_IN_A_ROW = 3;

export interface GatewayRedisOptions {
  /** Prefix of every key the gateway writes (tests give each run its own). */
  prefix?: string;
  /** Deadline of one command, in ms. */
  timeoutMs?: number;
  /** Delay in ms before reconnect attempt `attempt` (1, 2, …). The client never gives up. */
  retryDelay?: (attempt: number) => number;
  /** How often a down Redis is pinged, in ms. */
  probeEveryMs?: number;
}

export interface RedisStatus {
  url: string;
  state: 'up' | 'down';
  /** Since when it is in that state (ISO time). */
  since: string;
  /** Why it went down (last failure), while down. */
  reason?: string;
}

export class GatewayRedis {
  readonly prefix: string;
  private up = false;
  private since = new Date();
  private reason: string | undefined = 'not connected yet';
  private probe: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly recovered: Array<(client: RedisClient) => Promise<unknown>> = [];
  private recovering = false;
  private slowInARow = 0;

  /** The reconnect schedule (connections of a feature's own, such as the near cache's, follow it too). */
  readonly retryDelay: (attempt: number) => number;

  private constructor(
    /** The client; use it only through `run`, or when `available`. */
    readonly client: RedisClient,
    private readonly url: string,
    opts: GatewayRedisOptions,
    private readonly probeEveryMs: number,
  ) {
    this.prefix = opts.prefix ?? 'autograph:';
    this.retryDelay = opts.retryDelay ?? defaultRetryDelay;
    client.on('error', () => undefined); // reported once per outage by `failed`
    client.on('ready', () => this.probeNow());
  }

  /**
   * Connects to `target` (a URL, or a cluster's nodes) and waits (up to the command deadline, at least a
   * second) for the first answer. When Redis does not answer, the gateway still starts: degraded, logged,
   * and found back by the probe.
   */
  static async connect(target: RedisTarget, opts: GatewayRedisOptions = {}): Promise<GatewayRedis> {
    const client = createRedisClient(target, { timeoutMs: opts.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS, retryDelay: opts.retryDelay ?? defaultRetryDelay });
    const redis = new GatewayRedis(client, describeRedisTarget(target), opts, opts.probeEveryMs ?? 1000);
    await client.connect().catch(() => undefined);
    await redis.probeNow();
    if (!redis.up) redis.failed(new Error(redis.reason ?? 'no answer'));
    return redis;
  }

  /** Whether features should use Redis now (false while it is down: use the in-process fallback). */
  get available(): boolean {
    return this.up && !this.closed;
  }

  status(): RedisStatus {
    return { url: this.url, state: this.up ? 'up' : 'down', since: this.since.toISOString(), ...(this.up ? {} : { reason: this.reason }) };
  }

  /**
   * Runs Redis commands when Redis is available; `fallback` when it is not or when they fail (the
   * first failure marks Redis down). Callers never see a Redis error.
   */
  async run<T>(fallback: T, commands: (redis: RedisClient) => Promise<T>): Promise<T> {
    if (!this.available) return fallback;
    try {
      const result = await commands(this.client);
      this.slowInARow = 0;
      return result;
    } catch (err) {
      this.failed(err);
      return fallback;
    }
  }

  /**
   * Marks Redis down after a failed command (logged once per outage) and starts probing for it. One slow
   * command is not an outage (every feature falling back at once would be worse than the slow answer):
   * only a connection failure, or SLOW_IN_A_ROW commands past their deadline in a row, is.
   */
  failed(err: unknown): void {
    if (this.closed) return;
    const reason = (err as Error)?.message ?? String(err);
    if (/timed out/i.test(reason) && ++this.slowInARow < SLOW_IN_A_ROW) return;
    this.slowInARow = 0;
    if (this.up) {
      this.since = new Date();
      logger.warn({ service: 'gateway', reason }, 'Redis is unreachable: no shared cache, persisted queries or limits until it is back (each gateway falls back to its own)');
    } else if (!this.probe) {
      logger.warn({ service: 'gateway', reason, url: this.status().url }, 'Redis is not reachable: starting without it (each gateway falls back to its own cache and limits) until it is');
    }
    this.up = false;
    this.reason = reason;
    this.probe ??= setInterval(() => void this.probeNow(), this.probeEveryMs).unref();
  }

  private async probeNow(): Promise<void> {
    if (this.closed || this.recovering) return;
    try {
      await this.answers();
    } catch (err) {
      this.reason = (err as Error).message;
      return;
    }
    if (this.up) return;
    const wasDown = this.probe !== undefined;
    if (wasDown) {
      // Features put right what the outage left wrong before anyone uses Redis again; if that fails,
      // Redis stays down and the next probe tries again.
      this.recovering = true;
      try {
        for (const listener of this.recovered) await listener(this.client);
      } catch (err) {
        this.reason = `recovering after the outage: ${(err as Error).message}`;
        return;
      } finally {
        this.recovering = false;
      }
    }
    this.up = true;
    this.since = new Date();
    this.reason = undefined;
    clearInterval(this.probe);
    this.probe = undefined;
    if (wasDown) logger.info({ service: 'gateway' }, 'Redis is reachable again: shared cache, persisted queries and limits resume');
  }

  /**
   * Runs `listener` with the client each time Redis answers again after being down (not at the first
   * connection), before any feature uses Redis again.
   */
  onRecovered(listener: (client: RedisClient) => Promise<unknown>): void {
    this.recovered.push(listener);
  }

  /**
   * Throws unless Redis can serve every key. One server: it answers PING. A cluster: every master that
   * owns slots is connected and says `cluster_state:ok` — a PING to any one node would say a cluster is up
   * while a third of its slots are on a dead master.
   */
  private async answers(): Promise<void> {
    const client = this.client;
    if (!isCluster(client)) {
      await client.ping();
      return;
    }
    const owners = new Set<string>();
    for (let slot = 0; slot < 16_384; slot++) {
      const owner = client.slots[slot]?.[0];
      if (!owner) throw new Error(client.status === 'ready' ? `no node serves slot ${slot}` : `the cluster client is ${client.status}`);
      owners.add(owner);
    }
    const connected = new Map(client.nodes('master').map((n) => [`${n.options.host}:${n.options.port}`, n]));
    for (const owner of owners) {
      const node = connected.get(owner);
      if (!node) {
        // A master that went away is dropped by the client; learning the slots again connects it back.
        client.refreshSlotsCache();
        throw new Error(`the cluster master ${owner} is not connected`);
      }
      const info = await node.cluster('INFO');
      if (!/^cluster_state:ok\b/m.test(info)) throw new Error(`the cluster master ${owner} says ${/^cluster_state:\w+/m.exec(info)?.[0] ?? 'no cluster_state'}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probe);
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
