/**
 * The near cache's memory: copies of PUBLIC response-cache keys (public entries, whole public answers,
 * the public generation counters) held in this process, so that a hit on them costs no Redis round trip.
 * It knows nothing of Redis: `near-tracking.ts` fills it from reads Redis tracks for this process and
 * empties it from Redis's invalidation messages.
 *
 * Bounded by a number of entries and by bytes of keys and values (counted as characters, as the
 * per-process store counts them), least recently used dropped first; each entry also expires at its own
 * time (the lifetime Redis gave the key when it was read).
 *
 * The race a tracked read has with its own invalidation: the read's reply arrives on one connection and
 * the invalidation on another, so a value read before a change can arrive after the message saying it
 * changed. Each read therefore holds a ticket for every key from before it is sent; an invalidation of a
 * key (or a flush) spoils the tickets out for it, and a spoiled ticket stores nothing.
 */

interface Held {
  value: string;
  /** Epoch ms; Infinity: no lifetime (a generation counter). */
  expiresAt: number;
}

/** One in-flight read's claim on one key: spoiled when the key is invalidated before the reply is stored. */
export interface ReadTicket {
  key: string;
  spoiled: boolean;
}

export interface NearCacheCounts {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  /** Keys Redis (or this process's own write) said changed. */
  invalidations: number;
  /** Times the whole cache was dropped (tracking lost, the server flushed, Redis down). */
  flushes: number;
}

export class NearCache {
  private readonly held = new Map<string, Held>();
  private readonly inFlight = new Map<string, Set<ReadTicket>>();
  private bytes = 0;
  private readonly counts = { hits: 0, misses: 0, invalidations: 0, flushes: 0 };

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The value held for `key`, still within its lifetime; undefined (a miss) otherwise. */
  get(key: string): string | undefined {
    const h = this.held.get(key);
    if (h && h.expiresAt > this.now()) {
      // Most recently used last: a Map iterates in insertion order, so the first key is the LRU one.
      this.held.delete(key);
      this.held.set(key, h);
      this.counts.hits++;
      return h.value;
    }
    if (h) this.drop(key);
    this.counts.misses++;
    return undefined;
  }

  /** Taken before a read of `key` is sent; hand it back to `settle` with what the read found. */
  ticket(key: string): ReadTicket {
    const t: ReadTicket = { key, spoiled: false };
    (this.inFlight.get(key) ?? this.inFlight.set(key, new Set()).get(key)!).add(t);
    return t;
  }

  /**
   * Ends a read: keeps `value` unless the key was invalidated (or everything flushed) since its ticket
   * was taken. `value` undefined: the read failed or found nothing; the ticket is only given back.
   */
  settle(t: ReadTicket, value: string | undefined, expiresAt: number): void {
    const tickets = this.inFlight.get(t.key);
    tickets?.delete(t);
    if (tickets?.size === 0) this.inFlight.delete(t.key);
    if (t.spoiled || value === undefined || !(expiresAt > this.now())) return;
    const size = t.key.length + value.length;
    // One value larger than the whole bound is not kept (it would only push every other one out).
    if (size > this.maxBytes) return;
    this.drop(t.key);
    this.held.set(t.key, { value, expiresAt });
    this.bytes += size;
    while (this.held.size > this.maxEntries || this.bytes > this.maxBytes) this.drop(this.held.keys().next().value as string);
  }

  /** `keys` changed in Redis: forget them, and spoil every read of them still in flight. */
  invalidate(keys: Iterable<string>): void {
    for (const key of keys) {
      this.counts.invalidations++;
      this.drop(key);
      for (const t of this.inFlight.get(key) ?? []) t.spoiled = true;
    }
  }

  /** Forgets everything and spoils every read in flight (tracking was lost, or the server flushed). */
  flush(): void {
    this.counts.flushes++;
    this.held.clear();
    this.bytes = 0;
    for (const tickets of this.inFlight.values()) for (const t of tickets) t.spoiled = true;
    this.inFlight.clear();
  }

  stats(): NearCacheCounts {
    return { entries: this.held.size, bytes: this.bytes, ...this.counts };
  }

  private drop(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    this.held.delete(key);
    this.bytes -= key.length + h.value.length;
  }
}
