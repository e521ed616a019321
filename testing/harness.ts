/**
 * Test harness: the whole graph over HTTP on a fresh database. With DATABASE_URL set it creates a
 * new PostgreSQL database for the caller (dropped on stop); otherwise an in-memory PGlite.
 */
import { randomBytes } from 'node:crypto';
import { createSubgraphTokenSigner, gatewayPublicKeys } from '../gateway/subgraph-tokens';
import { signServiceCall, type SubgraphIdentityOptions } from '../subgraphs/kit/caller';
import { formatProblems } from '../gateway/composition';
import { composeGraph } from '../stack/graph';
import { subgraph, subgraphs } from '../subgraphs';
import { peerSchemas } from '../subgraphs/kit/module';
import { buildModuleSchema, startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';
import { startStack, type RunningStack } from '../stack/stack';
import { startGateway } from '../gateway/server';
import { mintToken } from '../gateway/auth';
import type { GatewayFeature } from '../gateway/feature';
import { gatewayFeatures, type GatewayFeatureConfig } from '../gateway/features';
import { DEFAULT_JWT_MAX_TTL_SECONDS } from '../gateway/features/auth';
import { staticSupergraph, type SupergraphSource } from '../gateway/supergraph-source';
import { generateSigningKey, type SigningKey } from '../platform/signing-keys';
import type { GatewayRedis } from '../gateway/redis';
import { DEFAULT_LIMITS } from '../platform/limits';
import { RATE_LIMIT_ROLES, type RateLimitPolicies } from '../gateway/rate-limit-policy';
import { openPglite, openPostgres, type Db } from '../platform/db';
import { IDENTITY_HEADER, signIdentityToken, subgraphAudience, type Identity } from '../platform/identity';

/** The issuer of the identity tokens test gateways sign. */
export const TEST_GATEWAY_ISSUER = 'autograph-test-gateway';

export const TEST_JWT = { issuer: 'autograph-test', audience: 'autograph', secret: 'test-secret-that-is-long-enough' };

export interface GqlResult<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; [k: string]: unknown } }>;
}

export interface TestGraph {
  url: string;
  db: Db;
  stack: RunningStack;
  /** How this graph's subgraphs verify callers and sign their calls (for a fixture subgraph started beside them). */
  identityFor(name: string): SubgraphIdentityOptions;
  /**
   * The headers of a direct call to subgraph `name` as the gateway would send it for `identity` (null:
   * anonymous): content type and an identity token signed by this graph's gateway key, bound to `body`
   * (the JSON text to be sent, or its value).
   */
  subgraphHeaders(name: string, identity: Identity | null, body: string | object): Promise<Record<string, string>>;
  /** Just the identity token of `subgraphHeaders`. */
  identityToken(name: string, identity: Identity | null, body: string | object): Promise<string>;
  /** The headers of a call from subgraph `from` to subgraph `to` with `body`, signed with `from`'s own key. */
  serviceHeaders(from: string, to: string, body: string | object): Promise<Record<string, string>>;
  /** The URL of one subgraph, for direct-call tests. */
  subgraphUrl(name: string): string;
  token(identity: Identity, ttlSeconds?: number): Promise<string>;
  /** Sends an operation through the gateway as `identity` (anonymous when null). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, identity?: Identity | null): Promise<GqlResult<T>>;
  /** Sends an operation through the gateway with a raw Authorization header. */
  gqlRaw<T = any>(query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>): Promise<GqlResult<T>>;
  stop(): Promise<void>;
}

/** A database for one test file: a fresh PostgreSQL database when DATABASE_URL is set, else in-memory PGlite. */
export async function openTestDb(kind: 'auto' | 'pglite' = 'auto'): Promise<{ db: Db; url?: string; drop(): Promise<void> }> {
  const base = process.env.DATABASE_URL;
  if (kind === 'pglite' || !base) {
    const db = await openPglite();
    return { db, drop: () => db.close() };
  }
  const name = `autograph_test_${randomBytes(6).toString('hex')}`;
  const admin = await openPostgres(base, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString(), 10);
  return {
    db,
    url: url.toString(),
    async drop() {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.close();
    },
  };
}

/** Every subgraph folder's own schema, as the peers a generated schema (spending's) is built from. */
export function treePeerSchemas() {
  return peerSchemas(subgraphs());
}

/** The schema one subgraph of this tree serves (generated ones built from the other folders). */
export function servedSubgraphSchema(name: string) {
  return buildModuleSchema(subgraph(name), peerSchemas(subgraphs()));
}

let composed: string | undefined;
/** Composes the subgraph folders (once per process), as `npm run compose` does. */
export function composeForTests(): string {
  if (composed) return composed;
  const outcome = composeGraph();
  if (!outcome.ok) throw new Error(`composition failed:\n${formatProblems(outcome.problems)}`);
  composed = outcome.supergraphSdl;
  return composed;
}

let partnerKey: SigningKey | undefined;
/** The key test gateways sign partner tokens with: generated in memory once per process (no file written). */
export function testSigningKey(): SigningKey {
  return (partnerKey ??= generateSigningKey());
}

/**
 * Rate limits no test meets unless it sets its own: one test file may send hundreds of requests in seconds
 * as one caller from one address, which is load, not a person (the feature still runs on every request).
 */
export const TEST_RATE_LIMITS = Object.fromEntries(RATE_LIMIT_ROLES.map((role) => [role, { points: 1_000_000_000, windowSeconds: 60 }])) as RateLimitPolicies;

/** The test graph's settings as the configuration would give them; `overrides` change some. */
export function testGatewayConfig(overrides: Partial<GatewayFeatureConfig> = {}): GatewayFeatureConfig {
  return {
    jwt: { ...TEST_JWT, maxTtlSeconds: DEFAULT_JWT_MAX_TTL_SECONDS.other },
    ownSubgraphs: subgraphs().map((s) => s.name),
    partnerTokens: { issuer: TEST_GATEWAY_ISSUER, key: { kind: 'configured', key: testSigningKey() }, previousKeys: [] },
    usage: { enabled: true, intervalMs: 10_000 },
    limits: DEFAULT_LIMITS,
    includeStacktrace: false,
    introspection: true,
    // A minute, not the deployed 10 s: on a CI machine running 130 suites on 2 cores a refresh of the analytics
    // store or a seed-sized query can take longer, and the tests about deadlines set their own.
    subgraphTimeoutMs: 60_000,
    redisTimeoutMs: 250,
    // Off unless a test asks for it: many tests write to a database directly and then read through the gateway.
    responseCache: { enabled: false, development: false, maxEntries: 50_000, maxMegabytes: 32 },
    inflightDedup: true,
    subgraphBatching: true,
    rateLimits: TEST_RATE_LIMITS,
    explorer: false,
    demoTokens: false,
    ...overrides,
  };
}

export interface TestGraphOptions {
  db?: 'auto' | 'pglite';
  /** Turns on what only development has: the explorer and (unless `demoTokens: false`) its demo token. */
  development?: boolean;
  demoTokens?: boolean;
  /** Serve the explorer regardless of `development`. */
  explorer?: boolean;
  /** Default on, as for NODE_ENV=test. */
  introspection?: boolean;
  /** The shared Redis the gateway keeps its state in (the caller closes it); none by default (in process). */
  redis?: GatewayRedis;
  /** What the gateway serves; by default the subgraph schemas composed now, never changing. */
  supergraph?: SupergraphSource;
  /** Features after the configured ones (test instruments: they see each subgraph fetch last). */
  extraFeatures?: GatewayFeature[];
  /**
   * Subgraphs that count as ours besides the tree's folders (a kit-built fixture that verifies the internal
   * header); any other subgraph of the supergraph is a partner's and gets a partner token.
   */
  alsoOwnSubgraphs?: readonly string[];
  /** How partner tokens are signed, instead of the test key. */
  partnerTokens?: GatewayFeatureConfig['partnerTokens'];
  /** Feature settings as variables would give them (e.g. `usageReporting`), over the test defaults. */
  gatewayConfig?: Partial<GatewayFeatureConfig>;
}

const jsonValue = (body: string | object): unknown => (typeof body === 'string' ? JSON.parse(body) : body);

export async function startTestGraph(opts: TestGraphOptions = {}): Promise<TestGraph> {
  const { db, drop } = await openTestDb(opts.db ?? 'auto');
  const development = opts.development ?? false;
  const config = testGatewayConfig({
    introspection: opts.introspection ?? true,
    explorer: opts.explorer ?? development,
    demoTokens: opts.demoTokens ?? development,
    ...(opts.partnerTokens ? { partnerTokens: opts.partnerTokens } : {}),
    ...opts.gatewayConfig,
  });
  config.ownSubgraphs = [...config.ownSubgraphs, ...(opts.alsoOwnSubgraphs ?? [])];
  let stack: RunningStack;
  try {
    const features = [...(await gatewayFeatures(config, { redis: opts.redis })), ...(opts.extraFeatures ?? [])];
    stack = await startStack({ db, supergraph: opts.supergraph ?? staticSupergraph(composeForTests()), features, gatewayKeys: gatewayPublicKeys(config.partnerTokens), gatewayPort: 0, subgraphPorts: {}, maxBodyBytes: 262_144, metricsToken: config.metricsToken, scheduledBackground: false, serviceCallTimeoutMs: config.subgraphTimeoutMs });
  } catch (err) {
    await drop();
    throw err;
  }
  const signer = createSubgraphTokenSigner(config.partnerTokens);
  const post = async (query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>) => {
    const res = await fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as GqlResult;
    return { ...body, status: res.status };
  };
  const graph: TestGraph = {
    url: stack.gateway.url,
    db,
    stack,
    identityFor: (name) => stack.identityFor(name),
    identityToken: (name, identity, body) => signer.sign(identity, name, jsonValue(body)),
    async subgraphHeaders(name, identity, body) {
      return { 'content-type': 'application/json', [IDENTITY_HEADER]: await graph.identityToken(name, identity, body) };
    },
    async serviceHeaders(from, to, body) {
      return { 'content-type': 'application/json', [IDENTITY_HEADER]: await signServiceCall(from, stack.identityFor(from).serviceKey, to, jsonValue(body)) };
    },
    subgraphUrl: (name) => stack.subgraphs[name].url,
    token: (identity, ttl) => mintToken(TEST_JWT, identity, ttl),
    async gql(query, variables, identity) {
      const headers: Record<string, string> = identity ? { authorization: `Bearer ${await graph.token(identity)}` } : {};
      return post(query, variables, headers);
    },
    gqlRaw: (query, variables, headers) => post(query, variables, headers),
    async stop() {
      await stack.stop();
      await drop();
    },
  };
  return graph;
}

/** Another gateway in front of a test graph's subgraphs (a second replica), with its own features. */
export async function startGatewayOver(
  g: TestGraph,
  opts: { redis?: GatewayRedis; config?: Partial<GatewayFeatureConfig>; extraFeatures?: GatewayFeature[]; subgraphUrls?: Record<string, string>; supergraph?: SupergraphSource } = {},
): Promise<Pick<TestGraph, 'url' | 'gql' | 'gqlRaw' | 'stop'>> {
  const features = [...(await gatewayFeatures(testGatewayConfig(opts.config), { redis: opts.redis })), ...(opts.extraFeatures ?? [])];
  const subgraphUrls = { ...Object.fromEntries(Object.entries(g.stack.subgraphs).map(([name, s]) => [name, s.url])), ...opts.subgraphUrls };
  const gateway = await startGateway({ supergraph: opts.supergraph ?? staticSupergraph(composeForTests()), features, subgraphUrls, port: 0, maxBodyBytes: 262_144 });
  const post = async (query: string, variables: Record<string, unknown> | undefined, headers: Record<string, string>) => {
    const res = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return { ...((await res.json()) as GqlResult), status: res.status };
  };
  return {
    url: gateway.url,
    gql: async (query, variables, identity) => post(query, variables, identity ? { authorization: `Bearer ${await g.token(identity)}` } : {}),
    gqlRaw: (query, variables, headers) => post(query, variables, headers),
    stop: () => gateway.stop(),
  };
}

/**
 * Starts one of a test graph's subgraphs again where it listened (after a test stopped it: an outage
 * over); the caller stops it. The gateway reaches it at the same URL.
 */
export async function restartSubgraph(g: TestGraph, name: string): Promise<RunningSubgraph> {
  const port = Number(new URL(g.subgraphUrl(name)).port);
  return startSubgraph(subgraph(name), { db: g.db, identity: g.identityFor(name), subgraphUrls: {}, port });
}

/**
 * The Redis command deadline for tests that assert what the cache holds on the shared Redis: the deployed
 * 250 ms is right for a gateway, but on a loaded CI machine three slow commands in a row mark Redis down,
 * and the cache then rightly answers from nothing — a miss the test would read as a bug. The outage tests
 * keep the deployed deadline: they are about exactly that.
 */
export const TEST_REDIS_TIMEOUT_MS = 2_000;

/**
 * How a subgraph started on its own in a test (no test graph) verifies callers: the test gateway's key,
 * and a fresh service key of its own.
 */
export function testSubgraphIdentity(): SubgraphIdentityOptions {
  return { gateway: gatewayPublicKeys(testGatewayConfig().partnerTokens), serviceKey: generateSigningKey() };
}

/** A token for subgraph `name` signed by the test gateway's key (what a test gateway would send), bound to `body`. */
export function testIdentityToken(name: string, identity: Identity | null, body: string | object): Promise<string> {
  return createSubgraphTokenSigner(testGatewayConfig().partnerTokens).sign(identity, name, jsonValue(body));
}

/**
 * A token as the gateway would sign it for subgraph `name`, but with a key the gateway never published
 * (a forgery: whoever made it holds no key of ours).
 */
export function tokenSignedByAnotherKey(name: string, identity: Identity | null, body: string | object): Promise<string> {
  return signIdentityToken({ key: generateSigningKey(), issuer: TEST_GATEWAY_ISSUER, audience: subgraphAudience(name), identity, body: jsonValue(body) });
}

/** Shorthands for identities in tests. */
export const as = {
  customer: (sub: string): Identity => ({ sub, role: 'customer' }),
  partner: (sub: string, org: string): Identity => ({ sub, role: 'partner', org }),
  analyst: (sub = 'analyst-1'): Identity => ({ sub, role: 'analyst' }),
  admin: (sub = 'admin-1'): Identity => ({ sub, role: 'admin' }),
};
