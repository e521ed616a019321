/**
 * What the web app sent to the graph, read from the requests Chromium recorded: the operations (by
 * persisted-query hash, with their variables and headers), so tests can prove the app sends only trusted
 * documents' ids and can ask the graph the same questions with the same token.
 */
import type { Request } from 'playwright-core';
import type { WebStack } from '../web-stack';

export interface AppOperation {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** `query` as sent, if any (a trusted-documents app sends none). */
  query?: string;
  hash?: string;
  operationName?: string;
  variables: Record<string, unknown>;
}

/** One request's operation if it went to the graph's endpoint (POST body or GET parameters), else undefined. */
export function decodeOperation(stack: WebStack, r: Request): Omit<AppOperation, 'headers'> | undefined {
  const endpoint = new URL(stack.graph.url);
  const url = new URL(r.url());
  if (url.origin !== endpoint.origin || url.pathname !== endpoint.pathname || r.method() === 'OPTIONS') return undefined;
  const body: Record<string, any> =
    r.method() === 'GET'
      ? Object.fromEntries([...url.searchParams].map(([k, v]) => [k, k === 'query' || k === 'operationName' ? v : JSON.parse(v)]))
      : (r.postDataJSON() ?? {});
  return { url: r.url(), method: r.method(), query: body.query, hash: body.extensions?.persistedQuery?.sha256Hash, operationName: body.operationName, variables: body.variables ?? {} };
}

/**
 * The operations that went to the graph, with the headers the page set (`headers()`: what the page's
 * script gave fetch, readable after its tab is closed, unlike the network's final list).
 */
export function graphOperations(stack: WebStack, requests: readonly Request[]): AppOperation[] {
  return requests.flatMap((r) => {
    const op = decodeOperation(stack, r);
    return op ? [{ ...op, headers: r.headers() }] : [];
  });
}

/** The bearer token the app sent with its last authenticated operation (the signed-in user's). */
export function appToken(ops: readonly AppOperation[]): string {
  const auth = [...ops].reverse().find((o) => o.headers.authorization?.startsWith('Bearer '))?.headers.authorization;
  if (!auth) throw new Error(`the app sent no operation with a bearer token (${ops.length} operations sent)`);
  return auth.slice('Bearer '.length);
}

/** A Decimal string as the app shows it, with grouping: "12345.60" → "12,345.60" (and the sign kept). */
export function grouped(amount: string): string {
  const [, sign, whole, frac] = /^(-?)(\d+)(\.\d+)?$/.exec(amount)!;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac ?? ''}`;
}
