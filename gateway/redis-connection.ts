/**
 * Which Redis the gateway keeps its shared state in — one server (REDIS_URL) or a Redis Cluster
 * (REDIS_CLUSTER_NODES) — and the one place its ioredis client is made, so that both kinds get the same
 * deadlines, the same refusal to queue while disconnected and the same reconnect schedule.
 *
 * Why the features need no second code path for a cluster: every key they use together in one command
 * lives in one hash slot. The rate limit's Lua script and MULTI touch one key each (rate-limiter-flexible
 * declares it in KEYS), persisted queries are single-key GET/SET, and the response cache sends only
 * single-key commands (issued together: one round trip per node); its generation counters share one
 * hash tag (`{g}`) so they are read from one node. Nothing scans, flushes or subscribes.
 */
import Redis, { Cluster, type ClusterNode, type ClusterOptions, type RedisOptions } from 'ioredis';

/** A Redis Cluster reached through any of its `nodes` (the client learns the others from them). */
export interface RedisClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  /** AUTH of every node (a cluster has one set of credentials). */
  username?: string;
  password?: string;
  /** rediss:// entries: TLS to every node. */
  tls: boolean;
}

/** A redis:// or rediss:// URL (one server), or a cluster. */
export type RedisTarget = string | RedisClusterTarget;

/** What the features are handed: both kinds answer the same commands. */
export type RedisClient = Redis | Cluster;

export interface RedisClientSettings {
  /** Deadline of one command, in ms (ioredis' `commandTimeout`, per node on a cluster). */
  timeoutMs: number;
  /** Delay in ms before reconnect attempt `attempt`; never null, so the client never gives up. */
  retryDelay: (attempt: number) => number;
}

export function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

/** The target for logs and `GET /health/redis`: no credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  if (typeof target === 'string') return target.replace(/\/\/[^@]*@/, '//…@');
  return `${target.tls ? 'rediss' : 'redis'}://${target.nodes.map((n) => `${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.port}`).join(',')} (cluster)`;
}

export function createRedisClient(target: RedisTarget, { timeoutMs, retryDelay }: RedisClientSettings): RedisClient {
  const perConnection: RedisOptions = {
    // Nothing queues while disconnected and nothing is retried: a command fails at once or within its deadline.
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: Math.max(timeoutMs, 1000),
  };
  if (typeof target === 'string') {
    return new Redis(target, {
      ...perConnection,
      lazyConnect: true,
      enableOfflineQueue: false,
      // Commands issued together go in one round trip: the cache's lookups of a fetch's entities cost one
      // round trip, not one each.
      enableAutoPipelining: true,
      // Never null: returning null would end the client for good after an outage.
      retryStrategy: (attempt) => Math.max(0, retryDelay(attempt)),
    });
  }
  const options: ClusterOptions = {
    lazyConnect: true,
    enableOfflineQueue: false,
    // No auto-pipelining on a cluster: ioredis retries a pipeline after MOVED or ASK only when every
    // failed command in it failed alike, and one batched across several slots that moved (after a
    // migration) fails with the MOVED instead. Sent one by one, each command follows its own redirection;
    // commands issued together are still all in flight at once on the node's connection, so they still
    // cost one round trip, only more writes.
    enableAutoPipelining: false,
    // Never null, as for one server. (Each node's own connection is ioredis' to manage: a node that goes
    // away is dropped, and connected again when the slots are next learnt.)
    clusterRetryStrategy: (attempt) => Math.max(0, retryDelay(attempt)),
    // MOVED and ASK (a slot migrated or migrating) are followed at once; a failover or TRYAGAIN waits a
    // little before trying again. The command's deadline bounds all of it: ioredis keeps one timer per command.
    retryDelayOnFailover: Math.min(100, Math.ceil(timeoutMs / 4)),
    retryDelayOnClusterDown: Math.min(100, Math.ceil(timeoutMs / 4)),
    retryDelayOnTryAgain: Math.min(100, Math.ceil(timeoutMs / 4)),
    slotsRefreshTimeout: Math.max(timeoutMs, 1000),
    redisOptions: {
      ...perConnection,
      ...(target.username ? { username: target.username } : {}),
      ...(target.password ? { password: target.password } : {}),
      ...(target.tls ? { tls: {} } : {}),
    },
    // With TLS the certificates name the hosts given, not the addresses the cluster reports: keep the names.
    ...(target.tls ? { dnsLookup: (address: string, callback: (err: null, address: string) => void) => callback(null, address) } : {}),
  };
  return new Cluster(target.nodes as ClusterNode[], options);
}

/**
 * One entry of REDIS_CLUSTER_NODES: `host:port`, `[ipv6]:port`, or `redis://[user:password@]host:port`
 * (`rediss://` for TLS). Throws what is wrong with it.
 */
export function parseClusterNode(entry: string): { host: string; port: number; username?: string; password?: string; tls: boolean } {
  const scheme = /^([a-z+]+):\/\//i.exec(entry)?.[1];
  if (scheme && scheme !== 'redis' && scheme !== 'rediss') throw new Error('is not host:port or a redis:// or rediss:// URL');
  let u: URL;
  try {
    u = new URL(scheme ? entry : `redis://${entry}`);
  } catch {
    throw new Error('is not host:port or a redis:// or rediss:// URL');
  }
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash) throw new Error('names a database or options: a cluster has only database 0, so give host:port');
  const port = Number(u.port);
  if (!u.hostname || !u.port || !(port >= 1 && port <= 65535)) throw new Error('needs a host and a port (1-65535), as host:port');
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

/**
 * The cluster the entries name, or a problem: every entry must carry the same credentials and TLS, since
 * they are applied to every node the cluster reports (not only the ones listed).
 */
export function clusterTarget(entries: ReturnType<typeof parseClusterNode>[]): RedisClusterTarget | string {
  if (entries.length === 0) return 'names no node';
  const [first] = entries;
  if (entries.some((e) => e.tls !== first.tls || e.username !== first.username || e.password !== first.password)) {
    return 'mixes schemes or credentials: every node of a cluster is reached the same way, so give them once, alike on every entry';
  }
  return { nodes: entries.map(({ host, port }) => ({ host, port })), username: first.username, password: first.password, tls: first.tls };
}
