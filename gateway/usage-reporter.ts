/**
 * Usage aggregated in memory and reported to the registry (`POST /v1/usage`). Calls are counted per
 * operation and client (name, version), each with how often it used each coordinate; nothing of a call
 * but those names and counts is kept.
 *
 * Bounded: at most `maxEntries` operation × client pairs are held (reported or waiting for a retry);
 * a call for a new pair beyond that is dropped and counted, and the count is logged with the next report.
 * A report that cannot be delivered (registry unreachable, 5xx, a timeout) is merged back and retried
 * with the next one; one the registry refuses (4xx) would be refused again, so it is dropped and logged.
 * Reports never run on a client's request: `record` only adds to maps.
 */
import { logger } from '../platform/logger';
import type { OperationShape } from './operation-usage';
import { registryFetch } from '../platform/registry-http';

export interface UsageReporterOptions {
  /** The registry's base URL (the API is under `/v1`). */
  registryUrl: string;
  /** The gateway's registry credential, sent as a Bearer token. */
  registryToken?: string;
  /** How often a report is sent (ms). */
  intervalMs: number;
  /** Most operation × client pairs held at once. */
  maxEntries?: number;
  /** How long one report may take before it counts as undelivered (ms). */
  timeoutMs?: number;
}

/** One operation × client pair's counts since the last report. */
interface Entry {
  hash: string;
  client: { name: string; version: string };
  count: number;
  coordinates: Map<string, number>;
}

interface Operation {
  name: string | null;
  document: string;
}

export const DEFAULT_MAX_ENTRIES = 5000;
/** A report is split into requests of about this many bytes, well under the registry's body limit (4 MiB by default). */
const REPORT_CHUNK_BYTES = 512 * 1024;
/** The registry's limits on one report (`registry/usage.ts`): operations, and clients of one operation. */
const REPORT_MAX_OPERATIONS = 500;
const REPORT_MAX_CLIENTS = 500;
/** How much of an operation's normalised document is sent as its sample (the hash covers all of it). */
const DOCUMENT_SAMPLE_CHARS = 8 * 1024;

export class UsageReporter {
  private entries = new Map<string, Entry>();
  private operations = new Map<string, Operation>();
  private dropped = 0;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  /** The entries of the report being sent, until each is delivered or merged back. */
  private sending = new Set<Entry>();
  private readonly maxEntries: number;

  constructor(private readonly opts: UsageReporterOptions) {
    this.maxEntries = opts.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** Starts reporting every `intervalMs`; the timer never keeps the process alive. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs);
    this.timer.unref();
  }

  /** Counts one call of `shape` by `client`, which used `coordinates`. */
  record(shape: OperationShape, client: { name: string; version: string }, coordinates: readonly string[]): void {
    this.add({ hash: shape.hash, client, count: 1, coordinates: new Map(coordinates.map((c) => [c, 1])) }, { name: shape.name, document: shape.document });
  }

  /** Calls counted since the last report; and dropped over the bound (for tests and health). */
  pending(): { entries: number; dropped: number } {
    // Entries of a report on its way count too: they are not delivered until the registry says so.
    const keys = new Set(this.entries.keys());
    for (const e of this.sending) keys.add(keyOf(e));
    return { entries: keys.size, dropped: this.dropped };
  }

  private add(entry: Entry, operation: Operation): void {
    const key = keyOf(entry);
    const held = this.entries.get(key);
    if (!held) {
      if (this.entries.size >= this.maxEntries) {
        this.dropped += entry.count;
        return;
      }
      this.entries.set(key, { ...entry, coordinates: new Map(entry.coordinates) });
      if (!this.operations.has(entry.hash)) this.operations.set(entry.hash, operation);
      return;
    }
    held.count += entry.count;
    for (const [c, n] of entry.coordinates) held.coordinates.set(c, (held.coordinates.get(c) ?? 0) + n);
  }

  /** Sends what was counted (one flush at a time; a second call waits for the running one). */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and sends what is left, once (undelivered usage is then lost, and logged). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.send();
    if (this.entries.size) logger.warn({ service: 'gateway', feature: 'usage-reporting', calls: [...this.entries.values()].reduce((n, e) => n + e.count, 0) }, 'usage not delivered to the registry before the gateway stopped');
  }

  private async send(): Promise<void> {
    if (this.entries.size === 0) return;
    const entries = [...this.entries.values()];
    const operations = this.operations;
    const dropped = this.dropped;
    this.entries = new Map();
    this.operations = new Map();
    this.dropped = 0;
    if (dropped) logger.warn({ service: 'gateway', feature: 'usage-reporting', dropped, maxEntries: this.maxEntries }, 'usage dropped: more operation × client pairs than the gateway holds');
    // After one undelivered request the registry is taken as down: the rest is kept without trying,
    // so a stop never waits out one timeout per request.
    let down = false;
    this.sending = new Set(entries);
    try {
      for (const chunk of chunks(entries, operations)) {
        down = down || !(await this.post(chunk.body));
        for (const e of chunk.entries) {
          if (down) this.add(e, operations.get(e.hash)!);
          this.sending.delete(e);
        }
      }
    } finally {
      this.sending = new Set();
    }
  }

  /** True when the registry took the report, or refused it for good (then it is logged, not retried). */
  private async post(body: unknown): Promise<boolean> {
    try {
      const res = await registryFetch(this.opts.registryUrl, this.opts.registryToken, '/v1/usage', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeoutMs: this.opts.timeoutMs ?? 5000 });
      const text = await res.text();
      if (res.ok) return true;
      const log = { service: 'gateway', feature: 'usage-reporting', status: res.status, answer: text.slice(0, 500) };
      if (res.status >= 500) {
        logger.warn(log, 'the registry could not record usage; retrying with the next report');
        return false;
      }
      logger.error(log, 'the registry refused the usage report; it is dropped (check REGISTRY_TOKEN)');
      return true;
    } catch (err) {
      logger.warn({ service: 'gateway', feature: 'usage-reporting', err: (err as Error).message, registry: this.opts.registryUrl }, 'the registry is unreachable; usage is kept and retried with the next report');
      return false;
    }
  }
}

function keyOf(entry: Entry): string {
  return `${entry.hash}\0${entry.client.name}\0${entry.client.version}`;
}

/** The report as requests of bounded size: `{ operations: [{ hash, name, document, clients: [...] }] }`. */
function* chunks(entries: Entry[], operations: Map<string, Operation>) {
  const byHash = new Map<string, Entry[]>();
  for (const e of entries) byHash.set(e.hash, [...(byHash.get(e.hash) ?? []), e]);
  let body: Array<{ hash: string }> = [];
  let taken: Entry[] = [];
  let bytes = 0;
  for (const [hash, group] of byHash) {
    const op = operations.get(hash)!;
    // An operation with more clients than one report may carry goes into several reports.
    for (let i = 0; i < group.length; i += REPORT_MAX_CLIENTS) {
      const slice = group.slice(i, i + REPORT_MAX_CLIENTS);
      const item = {
        hash,
        name: op.name,
        document: op.document.slice(0, DOCUMENT_SAMPLE_CHARS),
        clients: slice.map((e) => ({ name: e.client.name, version: e.client.version, count: e.count, coordinates: Object.fromEntries(e.coordinates) })),
      };
      const size = JSON.stringify(item).length;
      if (body.length && (bytes + size > REPORT_CHUNK_BYTES || body.length >= REPORT_MAX_OPERATIONS || i > 0)) {
        yield { body: { operations: body }, entries: taken };
        body = [];
        taken = [];
        bytes = 0;
      }
      body.push(item);
      taken.push(...slice);
      bytes += size;
    }
  }
  if (body.length) yield { body: { operations: body }, entries: taken };
}
