/**
 * Redis's server-assisted client-side caching, as the near cache uses it: two connections of their own
 * beside the gateway's shared one. ioredis speaks RESP2, where invalidation messages cannot arrive on
 * the connection that reads, so
 *  - the subscriber connection learns its client id and subscribes to `__redis__:invalidate`;
 *  - the reader connection turns on `CLIENT TRACKING on REDIRECT <that id>` and is used only for the
 *    near cache's reads. In the default mode the server remembers exactly the keys this connection read
 *    (the public keys the near cache may hold), and sends each one's name once to the subscriber when
 *    any client changes it: a write, a removal, an expiry, an eviction; a null list when it flushed.
 * Neither connection reconnects by itself: a connection that ends, or tracking the server no longer
 * keeps (`broken_redirect`), ends the pair, and the near cache opens a new pair after dropping everything
 * it held — reads the server made for a pair that is gone are tracked for nobody.
 */
import type Redis from 'ioredis';

const CHANNEL = '__redis__:invalidate';

/** A pair of connections with tracking on (see the file comment). */
export interface TrackingConnections {
  /** Each key's value (null: absent) and its remaining lifetime in ms (PTTL: -1 none, -2 absent). */
  read(keys: readonly string[]): Promise<Array<[string | null, number]>>;
  /** Throws unless both connections answer and the server still redirects this pair's invalidations. */
  check(): Promise<void>;
  close(): void;
}

export interface TrackingHandlers {
  /** Keys some client changed; null: the server flushed (every key). */
  invalidated(keys: string[] | null): void;
  /** The pair ended (a connection closed): nothing it tracked will be reported any more. */
  lost(reason: string): void;
}

export type OpenTracking = (handlers: TrackingHandlers) => Promise<TrackingConnections>;

/** Opens a tracking pair next to `base` (same server, credentials, deadlines), or throws why not. */
export function redisTracking(base: Redis): OpenTracking {
  return async (handlers) => {
    // No reconnect and no re-subscribe by ioredis: a new connection would be a new client id, untracked.
    const own = { lazyConnect: true, retryStrategy: () => null, autoResubscribe: false, enableOfflineQueue: false } as const;
    const subscriber = base.duplicate({ ...own, connectionName: 'autograph-near-cache-invalidations', enableAutoPipelining: false });
    const reader = base.duplicate({ ...own, connectionName: 'autograph-near-cache-reads' });
    let open = false;
    let ended = false;
    const end = (reason: string) => {
      if (ended) return;
      ended = true;
      subscriber.disconnect();
      reader.disconnect();
      if (open) handlers.lost(reason);
    };
    for (const [name, c] of [['invalidation', subscriber], ['read', reader]] as const) {
      c.on('error', () => undefined); // a failure is seen as the connection closing
      c.on('close', () => end(`the near cache's ${name} connection closed`));
    }
    subscriber.on('messageBuffer', (channel: Buffer, message: Buffer[] | Buffer | null) => {
      if (channel.toString() !== CHANNEL) return;
      handlers.invalidated(message === null ? null : Array.isArray(message) ? message.map(String) : [String(message)]);
    });
    const check = async () => {
      const [info] = await Promise.all([reader.call('CLIENT', 'TRACKINGINFO') as Promise<unknown[]>, subscriber.ping()]);
      const flags = (info[info.indexOf('flags') + 1] as string[] | undefined) ?? [];
      if (!flags.includes('on') || flags.includes('broken_redirect')) throw new Error(`the server no longer tracks the near cache's reads (flags: ${flags.join(' ')})`);
    };
    try {
      await subscriber.connect();
      const id = await subscriber.client('ID');
      await subscriber.subscribe(CHANNEL);
      await reader.connect();
      await reader.client('TRACKING', 'ON', 'REDIRECT', String(id));
      // Also refuses a Redis before 6.2 (no TRACKINGINFO), which could not be checked later.
      await check();
    } catch (err) {
      end('');
      throw err;
    }
    open = true;
    if (ended) throw new Error('a tracking connection closed while it was being set up');
    return {
      async read(keys) {
        // Issued together: one round trip (auto-pipelined); a GET is what the server tracks.
        const [values, ttls] = await Promise.all([Promise.all(keys.map((k) => reader.get(k))), Promise.all(keys.map((k) => reader.pttl(k)))]);
        return values.map((v, i) => [v, ttls[i]] as [string | null, number]);
      },
      check,
      close: () => {
        open = false;
        end('closed');
      },
    };
  };
}
