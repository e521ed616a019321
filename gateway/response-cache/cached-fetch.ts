/**
 * The response cache at subgraph-fetch granularity, as Apollo Router's entity cache does it: a root
 * fetch is one entry; an `_entities` fetch is one entry per representation, so two users' requests
 * share the public entities they both reach (a trim, a store, a station) and only the missing ones
 * are fetched. A subgraph's `Cache-Control` (from its `@cacheControl` hints) decides: `max-age` is the
 * entry's lifetime, `private` keys it by the caller (sub, role, organisation) and never stores it for
 * an anonymous one, no `max-age` (or an error) stores nothing.
 *
 * Before a private answer is known to be private, its key cannot name the caller; so a private entry
 * leaves a marker under the public key, and a lookup reads both keys at once.
 *
 * A mutation fetch bumps generations before its answer returns: a customer's own (`user:<sub>`) —
 * everything they do changes their own data only — or, for a partner, an admin or a service acting on
 * someone else's data, every private entry (`private`). Either is visible to every replica at once.
 */
import { createHash } from 'node:crypto';
import type { GatewayContext, RequestCacheState, SubgraphCall, SubgraphFetch, SubgraphReply } from '../feature';
import { cacheHintOf } from './cache-hint';
import { entityTag, type EntityKeys } from './entity-keys';
import type { CacheStore, KeyScope, StoredEntry } from './store';
import { narrowWhole } from './whole-policy';
import { typeTagsOfQuery, type FieldTypes } from './type-tags';

interface Stored {
  /** A root answer, or one entity. */
  v?: unknown;
  scope: 'PUBLIC' | 'PRIVATE';
  /** When it stops being fresh (epoch ms). */
  until: number;
}

const PRIVATE_MARKER = JSON.stringify({ private: true });
/** The longest anything is kept, whatever a subgraph's `max-age` says. */
const MAX_TTL_SECONDS = 86_400;

/** The caller as a private key names it; null: anonymous (nothing private is cached). */
export function callerOf(context: GatewayContext): string | null {
  const id = context.identity;
  return id ? JSON.stringify([id.sub, id.role, id.org ?? null]) : null;
}

const SHARED: readonly KeyScope[] = ['PUBLIC', 'PUBLIC', 'PUBLIC'];
const SHARED_THEN_OWN: readonly KeyScope[] = ['PUBLIC', 'PUBLIC', 'PUBLIC', 'PRIVATE', 'PRIVATE'];
/** A lookup's keys: the public key (an entry anyone may be served, or a marker), then maybe the private one. */
const PUBLIC_PRIVATE: readonly KeyScope[] = ['PUBLIC', 'PRIVATE'];
const ONLY_PUBLIC: readonly KeyScope[] = ['PUBLIC'];

/**
 * This request's generations, read once for all its fetches; null while Redis does not answer (the
 * request then uses no cache at all: zeros from a fallback could name entries from before a mutation).
 * A customer's private keys carry their own generation; everyone else's (partners, analysts, admins
 * see several customers' data) carry `staff`, which every mutation bumps.
 */
export function generationsOf(store: CacheStore, context: GatewayContext, state: RequestCacheState): NonNullable<RequestCacheState['generations']> {
  const caller = callerOf(context);
  const own = context.identity?.role === 'customer' ? `user:${caller}` : 'staff';
  // `whole`: bumped by every removal by tag, which whole answers (keyed by operation, not by part) cannot follow.
  // The first three are every caller's (a near cache may hold them); `private` and the caller's own are read from Redis every time.
  state.generations ??= store.generations(caller ? ['epoch', 'public', 'whole', 'private', own] : ['epoch', 'public', 'whole'], caller ? SHARED_THEN_OWN : SHARED).then((values) => {
    if (!values) return null;
    const [epoch, pub, whole, priv, mine] = values;
    return {
      public: `${epoch}.${pub}`,
      whole: String(whole),
      // The caller is part of every private key: a private entry can only ever be found by its caller.
      ...(caller ? { private: `${caller}|${epoch}.${priv}.${mine}` } : {}),
    };
  });
  return state.generations;
}

/** At most this many `type:` tags per entry (from the types met in its answer). */
const MAX_TYPE_TAGS = 20;

/** `type:<T>` for every `__typename` in an answer (a union's or interface's member), beside the types the fetch selects. */
function typeTagsIn(value: unknown, into = new Set<string>()): string[] {
  if (into.size >= MAX_TYPE_TAGS || value === null || typeof value !== 'object') return [...into];
  if (Array.isArray(value)) for (const v of value) typeTagsIn(v, into);
  else {
    const typename = (value as { __typename?: unknown }).__typename;
    if (typeof typename === 'string' && into.size < MAX_TYPE_TAGS) into.add(`type:${typename}`);
    for (const v of Object.values(value)) if (v !== null && typeof v === 'object') typeTagsIn(v, into);
  }
  return [...into];
}

/** Whether a mutation's answer shows that nothing ran: every root field refused (no data). */
function nothingWritten(reply: SubgraphReply): boolean {
  const data = reply.body.data;
  return Boolean(reply.body.errors?.length) && (data === null || data === undefined || Object.values(data).every((v) => v === null));
}

const digest = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

function isEntitiesFetch(call: SubgraphCall): call is SubgraphCall & { body: { variables: { representations: Array<Record<string, unknown>> } } } {
  return Array.isArray(call.body.variables?.representations) && /\b_entities\s*\(/.test(call.body.query);
}

function parse(value: string | undefined): Stored | 'private' | undefined {
  if (value === undefined) return undefined;
  if (value === PRIVATE_MARKER) return 'private';
  const stored = JSON.parse(value) as Stored;
  return stored.until > Date.now() ? stored : undefined;
}

/** A hit is the private entry, or the public one; a private marker means only the private one counts. */
function pick(publicValue: string | undefined, privateValue: string | undefined): Stored | undefined {
  const pub = parse(publicValue);
  if (pub && pub !== 'private') return pub;
  const priv = parse(privateValue);
  return priv && priv !== 'private' ? priv : undefined;
}

/** The `Cache-Control` an answer assembled from entries (and maybe a fresh reply) may carry. */
function headerOf(parts: Array<{ until: number; scope: 'PUBLIC' | 'PRIVATE' }>): string {
  const until = Math.min(...parts.map((p) => p.until));
  const maxAge = Math.max(0, Math.floor((until - Date.now()) / 1000));
  return `max-age=${maxAge}, ${parts.some((p) => p.scope === 'PRIVATE') ? 'private' : 'public'}`;
}

export interface CachedFetchOptions {
  store: CacheStore;
  entityKeys: () => EntityKeys;
  /** What each supergraph field returns, for the `type:` tags of what a fetch selects (`type-tags.ts`). */
  fieldTypes: () => FieldTypes;
}

export function cachedFetch(next: SubgraphFetch, subgraph: string, opts: CachedFetchOptions): SubgraphFetch {
  const { store } = opts;

  async function invalidateAfter(call: SubgraphCall, state: RequestCacheState): Promise<SubgraphReply> {
    const who = call.context.identity;
    let reply: SubgraphReply | undefined;
    try {
      reply = await next(call);
      return reply;
    } finally {
      // Anonymous callers write nothing anyone caches, and a mutation refused whole wrote nothing: no
      // bump, so neither can flush everyone's cache. Otherwise bump even when the answer failed (a
      // timeout after the commit): a customer's own view and every staff view of customers; for anyone
      // else acting on other people's data, every private entry.
      if (who && !(reply && nothingWritten(reply))) {
        await store.bump(who.role === 'customer' ? [`user:${callerOf(call.context)}`, 'staff'] : ['private']);
        // The rest of this request (a later root field of the mutation) reads the new generations.
        state.generations = undefined;
      }
    }
  }

  return async (call) => {
    const state = call.context.responseCache;
    if (!state) return next(call);
    if (call.operation === 'mutation') {
      narrowWhole(state, undefined);
      return invalidateAfter(call, state);
    }
    const gens = await generationsOf(store, call.context, state);
    if (!gens) {
      narrowWhole(state, undefined);
      state.misses++;
      return next(call);
    }
    // Identical fetches are shared only within one generation (in-flight deduplication reads it).
    call = { ...call, generation: gens.private ?? gens.public };
    const { representations, ...rest } = (call.body.variables ?? {}) as Record<string, unknown>;
    // The fetch's own part of every key, hashed once (a fetch may carry hundreds of representations).
    const base = digest([subgraph, call.body.query, rest]);
    const keysFor = (item: unknown) => ({ pub: digest([base, item, 'PUBLIC', gens.public]), priv: gens.private ? digest([base, item, 'PRIVATE', gens.private]) : undefined });

    if (!isEntitiesFetch(call)) {
      const k = keysFor(null);
      const [pubValue, privValue] = await store.getMany(k.priv ? [k.pub, k.priv] : [k.pub], PUBLIC_PRIVATE);
      const hit = pick(pubValue, privValue);
      if (hit) {
        state.hits++;
        narrowWhole(state, hit);
        return { status: 200, headers: { 'cache-control': headerOf([hit]) }, body: { data: hit.v as Record<string, unknown> } };
      }
      state.misses++;
      const reply = await next(call);
      const entry = storable(reply);
      // A private answer for an anonymous caller is never stored, so neither is the whole answer it is in.
      narrowWhole(state, entry && (entry.scope === 'PUBLIC' || k.priv) ? entry : undefined);
      if (entry) {
        const tags = [...new Set([`subgraph:${subgraph}`, ...typeTagsOfQuery(call.body.query, opts.fieldTypes(), MAX_TYPE_TAGS), ...typeTagsIn(reply.body.data)])];
        if (entry.scope === 'PUBLIC') await store.setMany([{ key: k.pub, value: JSON.stringify({ v: reply.body.data, ...entry }), ttlSeconds: entry.ttl, tags }]);
        else if (k.priv) await store.setMany([{ key: k.priv, value: JSON.stringify({ v: reply.body.data, ...entry }), ttlSeconds: entry.ttl, tags }, { key: k.pub, value: PRIVATE_MARKER, ttlSeconds: entry.ttl, tags }]);
      }
      return reply;
    }

    const reps = call.body.variables.representations;
    // Every type the fetch selects (its fragments' too): an entry may be tagged with a type it does not hold, never miss one it does.
    const selected = typeTagsOfQuery(call.body.query, opts.fieldTypes(), MAX_TYPE_TAGS);
    const keys = reps.map((r) => keysFor(r));
    const values = await store.getMany(keys.flatMap((k) => (k.priv ? [k.pub, k.priv] : [k.pub])), keys.flatMap((k) => (k.priv ? PUBLIC_PRIVATE : ONLY_PUBLIC)));
    const width = gens.private ? 2 : 1;
    const hits = keys.map((_, i) => pick(values[i * width], width === 2 ? values[i * width + 1] : undefined));
    const missing = hits.flatMap((h, i) => (h ? [] : [i]));
    if (missing.length === 0) {
      state.hits++;
      for (const h of hits) narrowWhole(state, h);
      return { status: 200, headers: { 'cache-control': headerOf(hits as Stored[]) }, body: { data: { _entities: hits.map((h) => h!.v) } } };
    }
    state.misses++;
    const reply = await next({ ...call, body: { ...call.body, variables: { ...call.body.variables, representations: missing.map((i) => reps[i]) } } });
    const fetched = (reply.body.data as { _entities?: unknown[] } | null | undefined)?._entities;
    const entry = storable(reply);
    const complete = entry && Array.isArray(fetched) && fetched.length === missing.length && (entry.scope === 'PUBLIC' || Boolean(gens.private));
    for (const h of hits) if (h) narrowWhole(state, h);
    narrowWhole(state, complete ? entry : undefined);
    if (entry && Array.isArray(fetched) && fetched.length === missing.length) {
      const writes: StoredEntry[] = [];
      missing.forEach((i, j) => {
        const tags = [...new Set([`subgraph:${subgraph}`, `type:${String(reps[i].__typename)}`, entityTag(opts.entityKeys(), reps[i]), ...selected, ...typeTagsIn(fetched[j])])];
        const value = JSON.stringify({ v: fetched[j], ...entry });
        if (entry.scope === 'PUBLIC') writes.push({ key: keys[i].pub, value, ttlSeconds: entry.ttl, tags });
        else if (keys[i].priv) writes.push({ key: keys[i].priv!, value, ttlSeconds: entry.ttl, tags }, { key: keys[i].pub, value: PRIVATE_MARKER, ttlSeconds: entry.ttl, tags });
      });
      await store.setMany(writes);
    }
    if (!Array.isArray(fetched) || fetched.length !== missing.length) return remapErrors(reply, missing);
    // The answer in the order asked: cached entities where they were, fetched ones in the gaps.
    const merged = hits.map((h) => h?.v);
    missing.forEach((i, j) => (merged[i] = fetched[j]));
    const fresh = cacheHintOf(reply.headers['cache-control']);
    const parts = [...(hits.filter(Boolean) as Stored[]), { until: Date.now() + fresh.maxAge * 1000, scope: fresh.scope ?? 'PRIVATE' }];
    return {
      ...reply,
      headers: { ...reply.headers, 'cache-control': fresh.maxAge > 0 ? headerOf(parts) : reply.headers['cache-control'] },
      body: { ...reply.body, data: { ...reply.body.data, _entities: merged }, ...(reply.body.errors ? { errors: remapErrors(reply, missing).body.errors } : {}) },
    };
  };
}

/** What of a reply may be stored: an errors-free 200 whose `Cache-Control` gives it a lifetime. */
function storable(reply: SubgraphReply): { ttl: number; scope: 'PUBLIC' | 'PRIVATE'; until: number } | undefined {
  if (reply.status !== 200 || reply.body.errors?.length || !reply.body.data) return undefined;
  const hint = cacheHintOf(reply.headers['cache-control']);
  if (hint.maxAge <= 0) return undefined;
  // No scope said is not a promise that anyone may see it: private. Nothing is kept longer than a day.
  const ttl = Math.min(hint.maxAge, MAX_TTL_SECONDS);
  return { ttl, scope: hint.scope ?? 'PRIVATE', until: Date.now() + ttl * 1000 };
}

/** Error paths of a reduced `_entities` fetch point at the reduced list: point them at the one asked. */
function remapErrors(reply: SubgraphReply, missing: number[]): SubgraphReply {
  if (!reply.body.errors) return reply;
  const errors = reply.body.errors.map((e) => {
    const path = e.path as Array<string | number> | undefined;
    if (!path || path[0] !== '_entities' || typeof path[1] !== 'number' || missing[path[1]] === undefined) return e;
    return { ...e, path: ['_entities', missing[path[1]], ...path.slice(2)] };
  });
  return { ...reply, body: { ...reply.body, errors } };
}
