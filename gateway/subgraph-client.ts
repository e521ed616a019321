/**
 * The bottom of every subgraph fetch: one pooled keep-alive HTTP client per gateway (undici's
 * `request` on an `Agent`), under the features' wrappers.
 *
 * Why not `fetch`: per subgraph fetch, Node's `fetch` builds WHATWG request and response objects and
 * web streams, and Apollo's data source adds a request copy for redirects — together about half of
 * the gateway's CPU under load. undici's `request` is the same HTTP engine without those layers.
 * Deadlines are undici's own (`headersTimeout`, `bodyTimeout`), which cost no timer per fetch.
 */
import { Agent, request } from 'undici';
import type { SubgraphFetch, SubgraphReply } from './feature';

/** Connections kept per subgraph origin: enough for the fan-out of a busy gateway, bounded so a slow subgraph cannot take every socket. */
const CONNECTIONS_PER_ORIGIN = 64;

export interface SubgraphClient {
  fetch: SubgraphFetch;
  close(): Promise<void>;
}

/** Why a subgraph's answer could not be read; the subgraph's name, never its URL. */
export class SubgraphReplyError extends Error {}

export function subgraphClient(): SubgraphClient {
  const agent = new Agent({ connections: CONNECTIONS_PER_ORIGIN, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000 });
  return {
    async fetch(call): Promise<SubgraphReply> {
      const res = await request(call.url, {
        method: 'POST',
        headers: call.headers,
        body: JSON.stringify(call.body),
        dispatcher: agent,
        headersTimeout: call.timeoutMs,
        bodyTimeout: call.timeoutMs,
      });
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(res.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      const text = await res.body.text();
      let body: SubgraphReply['body'];
      try {
        body = JSON.parse(text) as SubgraphReply['body'];
      } catch {
        throw new SubgraphReplyError(`the ${call.subgraph} subgraph answered ${res.statusCode} without a JSON body`);
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new SubgraphReplyError(`the ${call.subgraph} subgraph answered ${res.statusCode} with a body that is not a GraphQL response`);
      return { status: res.statusCode, headers, body };
    },
    close: () => agent.close(),
  };
}
