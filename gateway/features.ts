/**
 * The one place the gateway's feature list is built from configuration, and where every feature's own
 * variables are read (each by a reader in the feature's file; `loadConfig` reports their problems
 * with the rest). Adding a feature: its file under `features/`, plus a line here (and its settings
 * below, when it has variables).
 */
import type { NodeEnv } from '../platform/env';
import type { OperationLimits } from '../platform/limits';
import type { JwtSettings } from './auth';
import type { GatewayFeature } from './feature';
import { authFeature, readJwtSettings } from './features/auth';
import { contractsFeature, readContractRoles, type ContractRoles } from './features/contracts';
import { defaultDemandControl, demandControlFeature, readDemandControl, type DemandControlSettings } from './features/demand-control';
import { errorMaskingFeature } from './features/error-masking';
import { explorerFeature, readExplorerSettings, type ExplorerSettings } from './features/explorer';
import { healthFeature } from './features/health';
import { identityForwardingFeature, readPartnerTokenSettings } from './features/identity-forwarding';
import { inflightDedupFeature, readInflightDedup } from './features/inflight-dedup';
import { introspectionFeature, readIntrospection } from './features/introspection';
import { metricsFeature } from './features/metrics';
import { tracingFeature } from './features/tracing';
import { DEFAULT_SUBGRAPH_RESILIENCE, readSubgraphResilience, subgraphResilienceFeature, type SubgraphResilienceSettings } from './features/subgraph-resilience';
import { readMetricsToken } from '../platform/metrics';
import { operationLimitsFeature } from './features/operation-limits';
import { operationNameFeature } from './features/operation-name';
import { persistedQueriesFeature } from './features/persisted-queries';
import { costToPoints, DEFAULT_COST_PER_POINT, rateLimitsFeature, readRateLimitSettings, type RateLimitPoints, type RateLimitSettings } from './features/rate-limits';
import { requestCost } from './cost-request';
import { openGatewayRedis, readRedisSettings, redisFeature, type RedisSettings } from './features/redis';
import type { GatewayRedis } from './redis';
import { readResponseCacheSettings, responseCacheFeature, type ResponseCacheSettings } from './features/response-cache';
import { scalarValidationFeature } from './features/scalar-validation';
import { readSubgraphBatching, subgraphBatchingFeature } from './features/subgraph-batching';
import { createTokenVerifier } from './auth';
import { readSubgraphTimeoutMs, subgraphTimeoutsFeature } from './features/subgraph-timeouts';
import { readTrustedDocumentsSettings, trustedDocumentsFeature, type TrustedDocumentsSettings } from './features/trusted-documents';
import type { PartnerTokenSettings } from './subgraph-tokens';
import { readWebAppSettings, webAppFeature, withWebAppDocuments, type WebAppSettings } from './features/web-app';
import { readUsageReportingOptions, usageReportingFeature, usageReportingSettings, type UsageReportingOptions, type UsageReportingSettings } from './features/usage-reporting';

/** What the features read from the environment themselves. */
export interface GatewaySettings extends ExplorerSettings, RedisSettings, RateLimitSettings {
  jwt: JwtSettings & { maxTtlSeconds: number };
  /** Whether the schema may be introspected (INTROSPECTION; on in development, off in production). */
  introspection: boolean;
  subgraphTimeoutMs: number;
  /** How the tokens partner subgraphs receive are signed (PARTNER_TOKEN_*). */
  partnerTokens: PartnerTokenSettings;
  /** Which contract each role is served (CONTRACT_ROLES); unset: partners get the partner contract. */
  contractRoles?: ContractRoles;
  /** The response cache (RESPONSE_CACHE, RESPONSE_CACHE_MAX_ENTRIES). */
  responseCache: ResponseCacheSettings;
  /** Whether a request's same-round queries to one of our subgraphs go as one batch (SUBGRAPH_BATCHING). */
  subgraphBatching: boolean;
  /** Whether identical subgraph queries in flight for one caller are sent once (INFLIGHT_DEDUP). */
  inflightDedup: boolean;
  /** Whether and how often field usage is reported to the registry (USAGE_REPORTING, USAGE_REPORT_INTERVAL_MS). */
  usage: UsageReportingOptions;
  /** Cost budgets per role and what to do over them (DEMAND_CONTROL, COST_BUDGETS); unset: enforce the defaults. */
  demandControl?: DemandControlSettings;
  /** Trusted documents and safelisting (TRUSTED_DOCUMENTS*); unset: per-client, from the registry followed only. */
  trustedDocuments?: TrustedDocumentsSettings;
  /** The bearer token `/metrics` asks for (METRICS_TOKEN; the subgraphs' too); unset: loopback callers only. */
  metricsToken?: string;
  /** Retries of failed connections and the circuit breakers (SUBGRAPH_RETRIES, SUBGRAPH_BREAKER_*); unset: the defaults. */
  subgraphResilience?: SubgraphResilienceSettings;
  /** The web app served at /app (WEB_APP_DIR, WEB_SIGN_IN_URL); unset: not served. */
  webApp?: WebAppSettings;
}

/** Reads every feature's variables, adding one problem per bad value. */
/**
 * Which process reads the settings: the gateway (also `npm start`, which runs everything), or a subgraph
 * alone, which neither verifies client tokens nor signs the gateway's, so production does not demand the
 * client-token settings or the gateway's private key of it (a subgraph must not hold that key).
 */
export type ProcessRole = 'gateway' | 'subgraph';

export function readGatewaySettings(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[], role: ProcessRole = 'gateway'): GatewaySettings {
  const gateway = role === 'gateway';
  const jwt = readJwtSettings(env, nodeEnv, problems, gateway);
  const webApp = readWebAppSettings(env, problems);
  return {
    webApp,
    jwt,
    introspection: readIntrospection(env, nodeEnv, problems),
    subgraphTimeoutMs: readSubgraphTimeoutMs(env, problems),
    ...readRedisSettings(env, problems),
    ...readRateLimitSettings(env, problems),
    partnerTokens: readPartnerTokenSettings(env, nodeEnv, problems, gateway),
    contractRoles: readContractRoles(env, problems),
    usage: readUsageReportingOptions(env, problems),
    responseCache: readResponseCacheSettings(env, nodeEnv, problems),
    inflightDedup: readInflightDedup(env, problems),
    subgraphBatching: readSubgraphBatching(env, problems),
    demandControl: readDemandControl(env, nodeEnv, problems),
    // The built app's manifest is its client's safelist wherever the gateway serves the app.
    trustedDocuments: withWebAppDocuments(readTrustedDocumentsSettings(env, problems), webApp),
    metricsToken: readMetricsToken(env, problems),
    subgraphResilience: readSubgraphResilience(env, problems),
    ...readExplorerSettings(env, nodeEnv, jwt, problems),
  };
}

/** What the features are built from: their own settings and what the gateway shares with the subgraphs. */
export interface GatewayFeatureConfig extends GatewaySettings {
  /**
   * The subgraphs that are ours (the tree's folders): only they receive the internal identity header;
   * every other subgraph of the supergraph is a partner's and receives a partner token instead.
   */
  ownSubgraphs: readonly string[];
  limits: OperationLimits;
  /** INCLUDE_STACKTRACE=true: `extensions.stacktrace` in error responses. */
  includeStacktrace: boolean;
  /** The registry the gateway follows (REGISTRY_URL or --registry, REGISTRY_TOKEN): usage is reported to it. */
  registry?: { url: string; token: string };
  /** Where usage is reported instead of `registry` (tests). */
  usageReporting?: UsageReportingSettings;
  /** What a resolved operation spends of its caller's rate limit; unset: one point per request. */
  rateLimitPoints?: RateLimitPoints;
}

/**
 * The gateway's features, in the order they act. `redis`: a connection the caller owns (tests),
 * instead of connecting to REDIS_URL.
 */
export async function gatewayFeatures(config: GatewayFeatureConfig, opts: { redis?: GatewayRedis } = {}): Promise<GatewayFeature[]> {
  const usage = config.usageReporting ?? usageReportingSettings(config.usage, config.registry);
  // The one connection features share; it never fails (an unreachable Redis is a degraded start).
  const { redis, owned } = await openGatewayRedis(config, opts.redis);
  // Wherever the app is served its manifest is its client's safelist (already so when the settings were read
  // from the environment; this also covers settings given in code, and a build made after they were read).
  const configured = config.trustedDocuments ?? readTrustedDocumentsSettings({}, []);
  const trusted = config.webApp ? withWebAppDocuments(configured, config.webApp) : configured;
  return [
    redisFeature(redis, owned),
    errorMaskingFeature({ includeStacktrace: config.includeStacktrace }),
    authFeature(config.jwt),
    // Before timeouts and identity: a cached answer needs neither; it needs the caller auth found.
    responseCacheFeature({ settings: config.responseCache, redis, ownSubgraphs: config.ownSubgraphs, authenticate: createTokenVerifier(config.jwt) }),
    // After the cache (a hit needs no fetch to share), before the timeouts (one deadline for the shared fetch).
    inflightDedupFeature({ enabled: config.inflightDedup }),
    // After auth: a verified caller is counted by its token, an anonymous one by client name and address.
    // A request spends points by its estimated cost (demand control's `requestCost`, computed once).
    rateLimitsFeature(redis, {
      rateLimits: config.rateLimits,
      trustProxy: config.trustProxy,
      points: config.rateLimitPoints ?? ((rc) => costToPoints(requestCost(rc) ?? 0, config.rateLimitCostPerPoint ?? DEFAULT_COST_PER_POINT)),
    }),
    identityForwardingFeature({ ownSubgraphs: config.ownSubgraphs, partnerTokens: config.partnerTokens }),
    subgraphTimeoutsFeature({ timeoutMs: config.subgraphTimeoutMs }),
    // Inside the deadline the timeouts set; outside the spans and metrics, so each attempt is seen.
    subgraphResilienceFeature(config.subgraphResilience ?? DEFAULT_SUBGRAPH_RESILIENCE),
    // After the cache, deduplication and timeouts: they see the fetches that reach the network, timeouts included.
    tracingFeature(),
    metricsFeature({ token: config.metricsToken }),
    subgraphBatchingFeature({ enabled: config.subgraphBatching, ownSubgraphs: config.ownSubgraphs }),
    operationLimitsFeature(config.limits),
    demandControlFeature(config.demandControl ?? defaultDemandControl('production')),
    operationNameFeature(),
    scalarValidationFeature(),
    ...(trusted.mode === 'off' ? [] : [await trustedDocumentsFeature({ settings: trusted, registry: config.registry })]),
    persistedQueriesFeature(redis),
    introspectionFeature({ enabled: config.introspection }),
    contractsFeature({ roles: config.contractRoles }),
    explorerFeature({ enabled: config.explorer, demoTokens: config.demoTokens, jwt: config.jwt }),
    ...(config.webApp ? [webAppFeature({ settings: config.webApp, demoSignIn: config.explorer && config.demoTokens })] : []),
    healthFeature(),
    ...(usage ? [usageReportingFeature(usage)] : []),
  ];
}
