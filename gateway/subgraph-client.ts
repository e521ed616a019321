/**
 * The bottom of every subgraph fetch: one pooled keep-alive HTTP client per gateway (undici's
 * `request` on an `Agent`), under the features' wrappers.
 *
 * Why not `fetch`: per subgraph fetch, Node's `fetch` builds WHATWG request and response objects and
 * web streams, and Apollo's data source adds a request copy for redirects — together about half of
 * the gateway's CPU under load. undici's `request` is the same HTTP engine without those layers.
 * A fetch's deadline covers all of it — waiting for a connection, the headers and the whole body (undici's
 * own timeouts measure only parts: a body trickling a byte at a time never trips them) — and an answer
 * larger than MAX_RESPONSE_BYTES is cut off, so a slow or hostile subgraph cannot hold the gateway.
 *
 * Batching: the query plan fetches one subgraph several times in one round (the headline asks each
 * contributor for the report's buckets and for the page's lines side by side). For a subgraph that
 * accepts batches (ours: `allowBatchedHttpRequests`), queries of one request to one subgraph that are
 * issued in the same turn of the event loop, with identical headers, go as one HTTP request with an
 * array body, and each gets its own answer back — half the HTTP requests, and one context and one set of
 * DataLoaders on the subgraph. Each answer's cache policy then comes from its `extensions.cachePolicy`
 * (the batch's one header cannot say which answer it belongs to).
 *
 * Signing (`sign`, the identity token) happens here, once per HTTP request with its body as sent: a
 * token bound to the request must be made after batching decided what the request is.
 */
import { Agent, request } from 'undici';
import type { SubgraphCall, SubgraphFetch, SubgraphReply, SubgraphRequestSigner } from './feature';

/** Connections kept per subgraph origin: enough for the fan-out of a busy gateway, bounded so a slow subgraph cannot take every socket. */
const CONNECTIONS_PER_ORIGIN = 64;
/** The largest answer read from a subgraph. */
const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Most operations in one batch. */
const MAX_BATCH = 16;

export interface SubgraphClient {
  fetch: SubgraphFetch;
  close(): Promise<void>;
}

export interface SubgraphClientOptions {
  /** Whether a subgraph accepts batched requests (by name). */
  batches?: (subgraph: string) => boolean;
  /** Headers bound to each HTTP request's body (the identity token), added as it is sent. */
  sign?: SubgraphRequestSigner;
}

/** Why a subgraph's answer could not be read; the subgraph's name, never its URL. */
export class SubgraphReplyError extends Error {}

type Body = SubgraphReply['body'];
interface Waiting {
  call: SubgraphCall;
  resolve(reply: SubgraphReply): void;
  reject(err: unknown): void;
}

/** A number per request being served (its context object), so a batch never mixes two requests. */
const requestNumbers = new WeakMap<object, number>();
let lastRequestNumber = 0;
const requestNumber = (context: object) => requestNumbers.get(context) ?? (requestNumbers.set(context, ++lastRequestNumber), lastRequestNumber);

const isBody = (v: unknown): v is Body => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A batched answer's own `Cache-Control`, from its policy extension. */
function cacheControlOf(body: Body): string | undefined {
  const policy = body.extensions?.cachePolicy as { maxAge?: unknown; scope?: unknown } | undefined;
  if (typeof policy?.maxAge !== 'number' || policy.maxAge <= 0) return 'no-store';
  return `max-age=${policy.maxAge}, ${policy.scope === 'PRIVATE' ? 'private' : 'public'}`;
}

export function subgraphClient(opts: SubgraphClientOptions = {}): SubgraphClient {
  const agent = new Agent({ connections: CONNECTIONS_PER_ORIGIN, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, maxResponseSize: MAX_RESPONSE_BYTES });

  async function post(call: SubgraphCall, body: unknown, timeoutMs: number | undefined): Promise<{ status: number; headers: Record<string, string | undefined>; json: unknown }> {
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const payload = JSON.stringify(body);
    const sent = opts.sign ? { ...call.headers, ...(await opts.sign({ subgraph: call.subgraph, body, context: call.context })) } : call.headers;
    const res = await request(call.url, { method: 'POST', headers: sent, body: payload, dispatcher: agent, signal });
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(res.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const text = await res.body.text();
    try {
      return { status: res.statusCode, headers, json: JSON.parse(text) };
    } catch {
      throw new SubgraphReplyError(`the ${call.subgraph} subgraph answered ${res.statusCode} without a JSON body`);
    }
  }

  async function single(call: SubgraphCall): Promise<SubgraphReply> {
    const { status, headers, json } = await post(call, call.body, call.timeoutMs);
    if (!isBody(json)) throw new SubgraphReplyError(`the ${call.subgraph} subgraph answered ${status} with a body that is not a GraphQL response`);
    return { status, headers, body: json };
  }

  const queues = new Map<string, Waiting[]>();

  async function flush(key: string): Promise<void> {
    const waiting = queues.get(key)!;
    queues.delete(key);
    if (waiting.length === 1) {
      const [{ call, resolve, reject }] = waiting;
      return single(call).then(resolve, reject);
    }
    const first = waiting[0].call;
    const deadline = Math.min(...waiting.map((w) => w.call.timeoutMs ?? Infinity));
    try {
      const { status, headers, json } = await post(first, waiting.map((w) => w.call.body), Number.isFinite(deadline) ? deadline : undefined);
      if (Array.isArray(json) && json.length === waiting.length && json.every(isBody)) {
        waiting.forEach((w, i) => w.resolve({ status, headers: { ...headers, 'cache-control': cacheControlOf(json[i] as Body) }, body: json[i] as Body }));
      } else if (isBody(json)) {
        // The batch as a whole was refused (too large, malformed): every operation in it gets that answer.
        for (const w of waiting) w.resolve({ status, headers, body: json });
      } else {
        throw new SubgraphReplyError(`the ${first.subgraph} subgraph answered a batch of ${waiting.length} with ${Array.isArray(json) ? `${json.length} answers` : 'something else'}`);
      }
    } catch (err) {
      for (const w of waiting) w.reject(err);
    }
  }

  function batched(call: SubgraphCall): Promise<SubgraphReply> {
    // One request's fetches only (two anonymous clients may send the same headers), with identical headers.
    const key = `${call.url}\n${requestNumber(call.context)}\n${JSON.stringify(call.headers)}`;
    return new Promise<SubgraphReply>((resolve, reject) => {
      let waiting = queues.get(key);
      if (!waiting || waiting.length >= MAX_BATCH) {
        if (waiting) void flush(key);
        waiting = [];
        queues.set(key, waiting);
        // After the current turn: every fetch the plan starts in parallel joins before it is sent.
        setImmediate(() => {
          if (queues.get(key) === waiting) void flush(key);
        });
      }
      waiting.push({ call, resolve, reject });
    });
  }

  return {
    fetch: (call) => (call.operation === 'query' && opts.batches?.(call.subgraph) ? batched(call) : single(call)),
    close: () => agent.close(),
  };
}
