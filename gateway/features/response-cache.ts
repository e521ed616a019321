/**
 * Feature: the response cache (`gateway/response-cache/`): subgraph answers cached per root fetch and
 * per entity, for as long as the subgraphs' `@cacheControl` hints say, in the shared Redis (every
 * replica) or — without REDIS_URL — in this process (per replica). RESPONSE_CACHE=false turns it off.
 *
 * Each response says what the cache did in `x-cache` (`HIT`: every subgraph fetch answered from the
 * cache, `PARTIAL`, `MISS`) and, in development, `extensions.cache` (`{ hits, misses }`); its
 * `Cache-Control` is the subgraphs' policy narrowed by what was served (public only when every part
 * is public). `POST /cache/invalidate` with an admin token and `{ "tags": [...] }` removes by tag:
 * `type:Trim`, `entity:Trim:<key>`, `subgraph:catalog`, `user:<sub>` (everything private of that
 * customer), `private`, `public`.
 *
 * An answer every part of which was cacheable is also stored whole (`response-cache/whole-response.ts`)
 * and answered at the HTTP front on the next identical request (`answerEarly`), before Apollo runs; the
 * other features still judge it there (`admitEarlyAnswer`: safelist, cost budget, rate limit).
 */
import type { IncomingMessage } from 'node:http';
import { bool, wholeNumber, type NodeEnv } from '../../platform/env';
import { BodyTooLarge, readBody, sendError, sendJson } from '../../platform/http';
import type { Identity } from '../../platform/identity';
import { logger } from '../../platform/logger';
import type { GatewayFeature } from '../feature';
import type { GatewayRedis } from '../redis';
import { createHash } from 'node:crypto';
import { requestCost } from '../cost-request';
import { cachedFetch, generationsOf } from '../response-cache/cached-fetch';
import { narrowWhole } from '../response-cache/whole-policy';
import { findWhole, storeWhole, wholeKeys } from '../response-cache/whole-response';
import { entityKeysOf, type EntityKeys } from '../response-cache/entity-keys';
import { fieldTypesOf, type FieldTypes } from '../response-cache/type-tags';
import { memoryCacheStore, redisCacheStore, type CacheStore } from '../response-cache/store';
import { DEFAULT_NEAR_CACHE, NearReads, type NearCacheSettings } from '../response-cache/near-reads';
import { redisTracking } from '../response-cache/redis-tracking';
import { isCluster } from '../redis-connection';

export interface ResponseCacheSettings {
  /** RESPONSE_CACHE: true (default) or false. */
  enabled: boolean;
  /** Development answers say what the cache did in `extensions.cache` too. */
  development: boolean;
  /** RESPONSE_CACHE_MAX_ENTRIES: the per-process store's bound (without Redis). */
  maxEntries: number;
  /** RESPONSE_CACHE_MAX_MB: the per-process store's bound in megabytes of keys and values (without Redis). */
  maxMegabytes: number;
  /** The near cache of public keys in front of Redis (RESPONSE_CACHE_NEAR*); unset: its defaults (on). */
  near?: NearCacheSettings;
}

export function readResponseCacheSettings(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[]): ResponseCacheSettings {
  return {
    enabled: bool(env, 'RESPONSE_CACHE', true, problems),
    development: nodeEnv === 'development',
    maxEntries: wholeNumber(env, 'RESPONSE_CACHE_MAX_ENTRIES', 50_000, 100, 10_000_000, problems),
    maxMegabytes: wholeNumber(env, 'RESPONSE_CACHE_MAX_MB', 32, 1, 100_000, problems),
    near: {
      enabled: bool(env, 'RESPONSE_CACHE_NEAR', DEFAULT_NEAR_CACHE.enabled, problems),
      maxEntries: wholeNumber(env, 'RESPONSE_CACHE_NEAR_MAX_ENTRIES', DEFAULT_NEAR_CACHE.maxEntries, 10, 1_000_000, problems),
      maxMegabytes: wholeNumber(env, 'RESPONSE_CACHE_NEAR_MAX_MB', DEFAULT_NEAR_CACHE.maxMegabytes, 1, 10_000, problems),
    },
  };
}

/**
 * The near cache, when it can be had: with one Redis server (REDIS_URL). On a Redis Cluster tracking
 * would have to be set up on every master and followed through resharding: not done, so it is off.
 */
function nearReadsFor(redis: GatewayRedis | undefined, settings: NearCacheSettings): NearReads | string {
  if (!settings.enabled) return 'RESPONSE_CACHE_NEAR=false';
  if (!redis) return 'no Redis (REDIS_URL): the cache itself is in this process';
  if (isCluster(redis.client)) return 'a Redis Cluster (REDIS_CLUSTER_NODES): the near cache needs one server (REDIS_URL)';
  return new NearReads(redis, settings, redisTracking(redis.client), redis.retryDelay);
}

/** Tags an admin may remove by: generations bumped, or tag sets emptied. */
const GENERATION_TAG = /^(private|public|user:.{1,200})$/;
const SET_TAG = /^(type:[A-Za-z_]\w{0,99}|subgraph:[a-z][a-z0-9-]{0,49}|entity:[A-Za-z_]\w{0,99}:.{1,400})$/;
const MAX_TAGS = 100;

/** The `user:` tag of a customer, as the cache keys their private entries. */
const userTag = (sub: string) => `user:${JSON.stringify([sub, 'customer', null])}`;

async function invalidation(req: IncomingMessage, store: CacheStore, authenticate: (authorization: string | undefined) => Promise<Identity | null>) {
  let who: Identity | null;
  try {
    who = await authenticate(req.headers.authorization);
  } catch (err) {
    return { status: 401, code: 'UNAUTHENTICATED', message: (err as Error).message };
  }
  if (!who) return { status: 401, code: 'UNAUTHENTICATED', message: 'invalidating the cache needs an admin token (Authorization: Bearer …)' };
  if (who.role !== 'admin') return { status: 403, code: 'FORBIDDEN', message: `invalidating the cache is for admins; this token's role is ${who.role}` };
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, 65_536));
  } catch (err) {
    return { status: err instanceof BodyTooLarge ? 413 : 400, code: 'BAD_REQUEST', message: err instanceof BodyTooLarge ? 'the body is larger than 64 KiB' : 'the body is not JSON: send {"tags": ["type:Trim", …]}' };
  }
  const tags = (body as { tags?: unknown } | null)?.tags;
  if (!Array.isArray(tags) || tags.length === 0 || tags.length > MAX_TAGS) return { status: 400, code: 'BAD_REQUEST', message: `"tags" must be a list of 1 to ${MAX_TAGS} tags` };
  const bad = tags.find((t) => typeof t !== 'string' || !(GENERATION_TAG.test(t) || SET_TAG.test(t)));
  if (bad !== undefined) return { status: 400, code: 'BAD_REQUEST', message: `not a cache tag: ${JSON.stringify(bad).slice(0, 80)} (use type:<Type>, entity:<Type>:<key>, subgraph:<name>, user:<sub>, private or public)` };
  const generations = (tags as string[]).filter((t) => GENERATION_TAG.test(t)).map((t) => (t.startsWith('user:') ? userTag(t.slice(5)) : t));
  // Whole answers are keyed by operation, not by the parts they hold: any removal by tag retires them all.
  await store.bump(tags.some((t) => SET_TAG.test(t)) ? [...generations, 'whole'] : generations);
  const removed = await store.removeTagged((tags as string[]).filter((t) => SET_TAG.test(t)));
  logger.info({ service: 'gateway', admin: who.sub, tags }, 'response cache invalidated by tag');
  return { status: 200, body: { invalidated: tags, removedEntries: removed, generationsBumped: generations.length } };
}

export function responseCacheFeature(opts: {
  settings: ResponseCacheSettings;
  redis?: GatewayRedis;
  /** Only our own subgraphs' answers are cached: a partner's Cache-Control is not ours to trust. */
  ownSubgraphs: readonly string[];
  authenticate: (authorization: string | undefined) => Promise<Identity | null>;
}): GatewayFeature {
  if (!opts.settings.enabled) return { name: 'response-cache' };
  const near = opts.redis ? nearReadsFor(opts.redis, opts.settings.near ?? DEFAULT_NEAR_CACHE) : 'no Redis (REDIS_URL): the cache itself is in this process';
  const shared = opts.redis ? redisCacheStore(opts.redis, typeof near === 'string' ? undefined : near) : undefined;
  if (shared) opts.redis!.onRecovered((client) => shared.afterOutage(client));
  const store: CacheStore = shared ?? memoryCacheStore(opts.settings.maxEntries, opts.settings.maxMegabytes * 1024 * 1024);
  let entityKeys: EntityKeys = new Map();
  let fieldTypes: FieldTypes = new Map();
  let supergraphHash = '';
  const own = new Set(opts.ownSubgraphs);
  const development = opts.settings.development;
  return {
    name: 'response-cache',
    context: (_req, soFar) => {
      const responseCache = { hits: 0, misses: 0 };
      // Read now, beside the rate limit's spending, not after it: the whole answer's key needs them first.
      void generationsOf(store, soFar, responseCache);
      return { responseCache };
    },
    wrapFetch: (next, subgraph) =>
      own.has(subgraph)
        ? cachedFetch(next, subgraph, { store, entityKeys: () => entityKeys, fieldTypes: () => fieldTypes })
        : (call) => {
            // A partner's answer is not ours to store, nor is any whole answer it is part of.
            if (call.context.responseCache) narrowWhole(call.context.responseCache, undefined);
            return next(call);
          },
    onSchemaChange: (_api, supergraphSdl) => {
      entityKeys = entityKeysOf(supergraphSdl);
      fieldTypes = fieldTypesOf(supergraphSdl);
      // Synchronously with the swap, before Apollo serves the new graph: no request keys the old one after.
      supergraphHash = createHash('sha256').update(supergraphSdl).digest('base64url');
    },
    async answerEarly(request) {
      const state = request.context.responseCache;
      if (!state) return undefined;
      // The generations read here serve this request's fetches too, when it is not answered whole.
      state.wholeKey = wholeKeys(request, await generationsOf(store, request.context, state), supergraphHash);
      return state.wholeKey && findWhole(store, state.wholeKey, development);
    },
    plugins: [
      {
        async requestDidStart() {
          return {
            async willSendResponse(rc) {
              const { contextValue, response } = rc;
              const state = contextValue.responseCache;
              if (!state || (state.hits === 0 && state.misses === 0)) return;
              const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
              // Root introspection is merged in by the contracts feature after this hook: never stored whole.
              const introspects = /\b__(schema|type)\b/.test(rc.source ?? '');
              if (rc.operation?.operation === 'query' && result?.data && !result.errors?.length && (response.http.status ?? 200) === 200 && !introspects) {
                await storeWhole(store, state, result.data, { cost: requestCost(rc), points: contextValue.rateLimitPoints });
              }
              response.http.headers.set('x-cache', state.misses === 0 ? 'HIT' : state.hits === 0 ? 'MISS' : 'PARTIAL');
              if (development && response.body.kind === 'single') {
                response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cache: { hits: state.hits, misses: state.misses } };
              }
            },
          };
        },
      },
    ],
    routes: () => ({
      '/health/response-cache': (_req, res) =>
        sendJson(res, 200, {
          status: 'ok',
          store: shared ? 'redis' : 'memory',
          near: typeof near === 'string' ? { state: 'off', reason: near } : near.status(),
        }),
      'POST /cache/invalidate': async (req, res) => {
        const answer = await invalidation(req, store, opts.authenticate);
        if ('body' in answer) sendJson(res, answer.status, answer.body);
        else sendError(res, answer.status, answer.code!, answer.message!);
      },
    }),
    close: async () => {
      if (typeof near !== 'string') near.close();
    },
  };
}
