/**
 * Following the schema registry's current supergraph from another process (a gateway, a peer-following
 * subgraph). Two paths, both always on, because either alone can miss a change:
 * - the events stream `GET /v1/supergraph/events` (server-sent events) tells of a change at once; it is
 *   re-opened after it ends, fails or goes quiet past `idleMs` (no heartbeat: a half-open connection),
 *   with exponential backoff and jitter so replicas do not reconnect in step;
 * - `GET /v1/supergraph` is polled every `pollMs` with `If-None-Match` (304 when nothing changed), for
 *   a proxy that buffers or refuses the stream, or a notification lost while a stream was reconnecting.
 * `onChange(id)` is called once per new supergraph id, never two at once. When it rejects (the new
 * supergraph could not be taken up yet), the same id is offered again after a backoff unless a newer one
 * arrives first. The stream parser is a few lines written here: SSE is plain text framing, and Node's
 * `fetch` gives the streaming body, so no client library is needed.
 */
import type { Logger } from 'pino';
import { registryFetch } from './registry-http';

export interface RegistryWatchOptions {
  /** The registry's base URL, e.g. `http://registry:4100`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token: string;
  /** How often the supergraph is polled (ms). */
  pollMs: number;
  onChange(supergraphId: string): void | Promise<void>;
  log: Logger;
  /** Names the process in each log line (`service`). */
  service?: string;
  /** A stream silent this long (no event, no heartbeat) is re-opened; default 45 s (three registry heartbeats). */
  idleMs?: number;
  /** Turns the events stream off (polling only). */
  events?: boolean;
}

/** What the watcher knows about the registry, for health details. */
export interface RegistryWatchState {
  /** The last request to the registry (poll or stream) got an answer. */
  reachable: boolean;
  /** The events stream is open now. */
  streaming: boolean;
  /** Why the last request failed, while it is failing. */
  lastError: string | null;
  /** The newest supergraph id the registry reported. */
  latestId: string | null;
}

export interface RegistryWatch {
  state(): RegistryWatchState;
  stop(): void;
}

/** Exponential backoff with jitter: attempt 0 waits ~`base`, capped at `max`. */
export function backoffMs(attempt: number, base = 500, max = 30_000): number {
  return Math.min(max, base * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
}

/** An error as a person reads it: fetch's "fetch failed" says nothing, its cause (ECONNREFUSED …) does. */
export function describeError(err: unknown): string {
  // Duck-typed: errors from fetch may come from another realm (instanceof Error is false there).
  const e = err as { message?: unknown; cause?: { code?: unknown; message?: unknown } } | null;
  if (!e || typeof e !== 'object') return String(err);
  const cause = e.cause && typeof e.cause === 'object' ? (e.cause.message || e.cause.code) : undefined;
  return cause ? String(cause) : String(e.message ?? err);
}

/** The data of each `event: supergraph` in a chunk of SSE text; returns the unparsed rest. */
function parseEvents(buffer: string, onId: (id: string | null) => void): string {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue; // a comment: the heartbeat
      const [field, ...value] = line.split(':');
      const v = value.join(':').replace(/^ /, '');
      if (field === 'event') event = v;
      else if (field === 'data') data.push(v);
    }
    if (event !== 'supergraph' || data.length === 0) continue;
    try {
      const parsed = JSON.parse(data.join('\n')) as { id?: unknown };
      onId(typeof parsed.id === 'string' ? parsed.id : null);
    } catch {
      // a malformed event: the poll will still see the change
    }
  }
  return rest;
}

export function watchRegistry(opts: RegistryWatchOptions): RegistryWatch {
  const base = opts.url.replace(/\/+$/, '');
  const idleMs = opts.idleMs ?? 45_000;
  const state = { streaming: false, latestId: null as string | null };
  let stopped = false;
  const stream = new AbortController();
  let pollTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  /** The id last handed to onChange successfully (or being handled now). */
  let handled: string | null = null;
  let failedAttempts = 0;
  let delivering: Promise<void> = Promise.resolve();

  /** The problem last logged for each path: a registry that stays down is logged once, not at every try. */
  const logged = { poll: '', stream: '' };
  /** The last poll got an answer. */
  let polled = false;
  const failed = (path: 'poll' | 'stream', what: string, err?: unknown) => {
    const reason = err === undefined ? undefined : describeError(err);
    const message = reason === undefined ? what : `${what}: ${reason}`;
    if (logged[path] !== message) opts.log.warn({ service: opts.service, registry: base }, `the registry: ${message}`);
    logged[path] = message;
    if (path === 'poll') polled = false;
  };
  const answered = (path: 'poll' | 'stream') => {
    if (logged[path]) opts.log.info({ service: opts.service, registry: base }, `the registry answers again (${path === 'poll' ? 'polling' : 'events stream'})`);
    logged[path] = '';
    if (path === 'poll') polled = true;
  };

  /** One id from either path: handed to onChange unless already handled; serialised. */
  const seen = (id: string | null) => {
    if (id === null) return;
    state.latestId = id;
    delivering = delivering.then(async () => {
      if (stopped || id !== state.latestId || id === handled) return;
      handled = id;
      clearTimeout(retryTimer);
      try {
        await opts.onChange(id);
        failedAttempts = 0;
      } catch (err) {
        // Not taken up: offered again later (the poll's ETag would otherwise say "nothing new").
        handled = null;
        const wait = backoffMs(failedAttempts++, 1000, 60_000);
        opts.log.warn({ service: opts.service, registry: base, supergraph: id, retryInMs: Math.round(wait), err: (err as Error).message }, 'the new supergraph was not taken up; trying again later');
        retryTimer = setTimeout(() => seen(id), wait);
        retryTimer.unref();
      }
    });
  };

  const poll = async () => {
    try {
      const res = await registryFetch(base, opts.token, '/v1/supergraph', {
        headers: state.latestId ? { 'if-none-match': `"${state.latestId}"` } : {},
        timeoutMs: Math.max(5000, opts.pollMs),
      });
      if (res.status === 304) return answered('poll');
      if (res.status === 404) {
        await res.body?.cancel();
        return answered('poll'); // nothing published yet
      }
      if (!res.ok) {
        const refusal = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        return failed('poll', `GET /v1/supergraph answered ${res.status}${refusal.error?.message ? ` (${refusal.error.message})` : ''}`);
      }
      const body = (await res.json()) as { id?: unknown };
      answered('poll');
      if (typeof body.id === 'string') seen(body.id);
    } catch (err) {
      failed('poll', 'polling GET /v1/supergraph failed', err);
    } finally {
      if (!stopped) {
        pollTimer = setTimeout(poll, opts.pollMs);
        pollTimer.unref();
      }
    }
  };

  const follow = async () => {
    let attempt = 0;
    while (!stopped) {
      let idle: NodeJS.Timeout | undefined;
      const connection = new AbortController();
      const abortOnStop = () => connection.abort();
      stream.signal.addEventListener('abort', abortOnStop);
      const reset = () => {
        clearTimeout(idle);
        idle = setTimeout(() => connection.abort(), idleMs);
        idle.unref();
      };
      // Armed before the request: a proxy that holds the response (headers included) counts as silent too.
      reset();
      try {
        const res = await registryFetch(base, opts.token, '/v1/supergraph/events', { headers: { accept: 'text/event-stream' }, signal: connection.signal });
        if (!res.ok || !res.body || !String(res.headers.get('content-type')).startsWith('text/event-stream')) {
          await res.body?.cancel();
          throw new Error(`GET /v1/supergraph/events answered ${res.status} ${res.headers.get('content-type') ?? ''}`.trim());
        }
        state.streaming = true;
        answered('stream');
        attempt = 0;
        reset();
        const decoder = new TextDecoder();
        let buffer = '';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          reset();
          buffer = parseEvents(buffer + decoder.decode(chunk, { stream: true }), seen);
        }
        if (!stopped) opts.log.info({ service: opts.service, registry: base }, 'the registry events stream ended; reconnecting');
      } catch (err) {
        if (!stopped) failed('stream', 'the events stream', connection.signal.aborted ? new Error(`silent for ${idleMs} ms`) : err);
      } finally {
        clearTimeout(idle);
        state.streaming = false;
        stream.signal.removeEventListener('abort', abortOnStop);
      }
      if (stopped) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, backoffMs(attempt++));
        t.unref();
        stream.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
  };

  void poll();
  if (opts.events ?? true) void follow();
  return {
    // Reachable while either path gets answers; the error shown is the poll's first (it carries the SDL), then the stream's.
    state: () => ({ ...state, reachable: polled || state.streaming, lastError: logged.poll || logged.stream || null }),
    stop() {
      stopped = true;
      clearTimeout(pollTimer);
      clearTimeout(retryTimer);
      stream.abort();
    },
  };
}
