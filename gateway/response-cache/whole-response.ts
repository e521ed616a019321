/**
 * The whole-response layer of the response cache: an operation's answer, when every part of it was
 * cacheable (`whole-policy.ts`), is stored whole and served at the HTTP front on the next identical
 * request — before Apollo parses, validates, plans or executes anything.
 *
 * Its key names everything the answer depends on:
 *  - the operation: its text's SHA-256, or a persisted id with the client that sent it; the operation
 *    name and the variables as sent;
 *  - the caller's role (which contract they are served), and for a private answer the caller itself;
 *  - the supergraph (its SHA-256): after a swap no answer of the old graph is found;
 *  - the generations the parts' keys are made under (`epoch`, `public`; for a private answer also the
 *    caller's `user:` or `staff` generation and `private`), plus `whole`, which every removal by tag
 *    bumps: so a mutation, an admin's invalidation or an outage makes every whole answer that used the
 *    invalidated parts unreachable at once, on every replica, exactly as it does the parts.
 * An answer found is still judged by the safelist, demand control and the rate limit (`early-answer.ts`).
 */
import { createHash } from 'node:crypto';
import type { CachedOperationFacts, EarlyAnswer, EarlyRequest, RequestCacheState } from '../feature';
import type { CacheStore } from './store';

/** What the stored value says before its data: when it stops being fresh, its scope, and what it is judged by. */
interface WholeMeta extends CachedOperationFacts {
  until: number;
  scope: 'PUBLIC' | 'PRIVATE';
  /** How many subgraph fetches it took (what `extensions.cache.hits` says in development). */
  fetches: number;
}

const digest = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/** The operation a request names, as the key holds it; undefined when it names none (Apollo refuses it). */
function operationOf(request: EarlyRequest): unknown[] | undefined {
  const { query, extensions } = request.body;
  if (typeof query === 'string') return ['q', createHash('sha256').update(query).digest('base64url')];
  const hash = (extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
  // A persisted id means a document only together with the client whose list holds it.
  if (typeof hash === 'string') return ['id', String(request.req.headers['apollographql-client-name'] ?? ''), hash];
  return undefined;
}

/**
 * The public and (for a verified caller) private keys of a request's whole answer, or undefined when it
 * cannot be cached whole (no operation named, no generations: Redis does not answer).
 */
export function wholeKeys(
  request: EarlyRequest,
  gens: { public: string; private?: string; whole: string } | null,
  supergraphHash: string,
): RequestCacheState['wholeKey'] {
  const operation = operationOf(request);
  if (!operation || !gens) return undefined;
  const role = request.context.identity?.role ?? 'anonymous';
  const base = [supergraphHash, role, operation, request.body.operationName ?? null, request.body.variables ?? null];
  return {
    public: `w:${digest([...base, 'PUBLIC', gens.public, gens.whole])}`,
    // `gens.private` names the caller: a private whole answer can only ever be found by its caller.
    ...(gens.private ? { private: `w:${digest([...base, 'PRIVATE', gens.public, gens.private, gens.whole])}` } : {}),
  };
}

/** The whole answer stored under one of `keys`, still fresh, with the headers a cached answer carries. */
export async function findWhole(store: CacheStore, keys: NonNullable<RequestCacheState['wholeKey']>, development: boolean): Promise<EarlyAnswer | undefined> {
  const values = await store.getMany(keys.private ? [keys.private, keys.public] : [keys.public], keys.private ? ['PRIVATE', 'PUBLIC'] : ['PUBLIC']);
  const now = Date.now();
  for (const value of values) {
    if (value === undefined) continue;
    const cut = value.indexOf('\n');
    const meta = JSON.parse(value.slice(0, cut)) as WholeMeta;
    if (meta.until <= now) continue;
    const maxAge = Math.max(0, Math.floor((meta.until - now) / 1000));
    return {
      dataJson: value.slice(cut + 1),
      headers: { 'cache-control': `max-age=${maxAge}, ${meta.scope === 'PRIVATE' ? 'private' : 'public'}`, 'x-cache': 'HIT' },
      ...(development ? { extensions: { cache: { hits: meta.fetches, misses: 0 } } } : {}),
      facts: { cost: meta.cost, points: meta.points },
    };
  }
  return undefined;
}

/** The longest a whole answer is kept, whatever its parts say (the parts' own bound). */
const MAX_TTL_SECONDS = 86_400;

/**
 * Stores a query's whole answer when every part of it was cacheable; `data` is the answer's data as
 * Apollo sends it. Nothing is stored for an answer with errors, a part that may not be stored, or no
 * fetch at all (introspection is answered by the gateway, per contract).
 */
export async function storeWhole(store: CacheStore, state: RequestCacheState, data: Record<string, unknown>, facts: CachedOperationFacts): Promise<void> {
  const { wholeKey, whole } = state;
  if (!wholeKey || !whole || whole.uncacheable || state.hits + state.misses === 0) return;
  const key = whole.private ? wholeKey.private : wholeKey.public;
  const ttlSeconds = Math.min(MAX_TTL_SECONDS, Math.floor((whole.until - Date.now()) / 1000));
  if (!key || !(ttlSeconds > 0)) return;
  const meta: WholeMeta = { until: whole.until, scope: whole.private ? 'PRIVATE' : 'PUBLIC', fetches: state.hits + state.misses, ...facts };
  // JSON text never holds a raw newline: the first one ends the metadata.
  await store.setMany([{ key, value: `${JSON.stringify(meta)}\n${JSON.stringify(data)}`, ttlSeconds, tags: [] }]);
}
