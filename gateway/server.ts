/**
 * The gateway: Apollo Gateway executing the composed supergraph, behind the shared HTTP front.
 * It authenticates the client, then forwards a signed identity to every subgraph fetch.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLError } from 'graphql';
import { installScalarValidation } from './scalars';
import { DEFAULT_LIMITS, operationLimitsRule, type OperationLimits } from '../platform/limits';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Fetcher } from '@apollo/utils.fetcher';
import { graphqlHandler, listen, sendJson, type Listening } from '../platform/http';
import { IDENTITY_HEADER, signIdentity, type Identity } from '../platform/identity';
import { inputChecksPlugin } from '../platform/inputs';
import { currentRequestId, logger, REQUEST_ID_HEADER } from '../platform/logger';
import { maskUnexpectedErrors } from '../platform/masking';
import { createTokenVerifier, type JwtSettings } from './auth';
import { createExplorer } from './explorer';
import { operationResolutionPlugin } from './operation-name';

export interface GatewayContext {
  identity: Identity | null;
}

export interface GatewayOptions {
  supergraphSdl: string;
  jwt: JwtSettings;
  internalSecret: string;
  /** Replaces the supergraph's routing URL of a subgraph (tests, local ports). */
  subgraphUrls?: Partial<Record<string, string>>;
  port: number;
  host?: string;
  maxBodyBytes: number;
  /** Development: the explorer and introspection default to on. */
  development: boolean;
  /** The explorer hands out demo-driver tokens (config `demoTokens`: development with the built-in secret only). */
  demoTokens?: boolean;
  /** Add `extensions.stacktrace` to error responses (INCLUDE_STACKTRACE=true; off by default, even in development). */
  includeStacktrace?: boolean;
  /** Serve the explorer (`gateway/explorer.ts`); default: in development. */
  explorer?: boolean;
  /** Whether clients may introspect the schema (INTROSPECTION); defaults to `development`. */
  introspection?: boolean;
  /** How long one subgraph fetch may take before its part of the answer fails (default 10 s). */
  subgraphTimeoutMs?: number;
  /** Depth, alias and token limits per operation. */
  limits?: OperationLimits;
  /** Where automatic persisted queries are kept (Redis when configured); Apollo's in-memory cache otherwise. */
  persistedQueries?: KeyValueCache<string>;
}

export interface RunningGateway extends Listening {
  gateway: ApolloGateway;
  stop(): Promise<void>;
}

/** Subgraph fetcher that signs the caller's identity into each request. */
class IdentityForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly secret: string, timeoutMs: number) {
    // Node's own fetch (undici, keep-alive) instead of the default make-fetch-happen: measurably less
    // CPU per subgraph fetch. Every fetch is bounded, so one stuck subgraph cannot hold a request forever.
    const fetcher = (input: string, init?: RequestInit) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    super({ url, fetcher: fetcher as unknown as Fetcher });
  }
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    // Only the gateway's signature counts (`set` replaces any copy a client sent). An anonymous caller
    // is signed too: a subgraph refuses every request the gateway did not sign.
    request.http?.headers.set(IDENTITY_HEADER, signIdentity(context?.identity ?? null, this.secret));
    // The subgraph logs under the gateway's request id.
    const requestId = currentRequestId();
    if (requestId) request.http?.headers.set(REQUEST_ID_HEADER, requestId);
  }

  /** A subgraph's refusal keeps its own message and code; the subgraph's URL and raw body stay inside. */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    try {
      const body = (await response.clone().json()) as { errors?: Array<{ message?: string; extensions?: { code?: string } }> };
      const first = body.errors?.[0];
      if (first?.message) return new GraphQLError(first.message, { extensions: { code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } });
    } catch {
      // not a GraphQL body: fall through to a generic error
    }
    return new GraphQLError(`a subgraph answered ${response.status}`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  }
}

export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 10_000;

/** Asks one subgraph's `/health`, giving up after two seconds. */
async function checkSubgraph(name: string, endpoint: string): Promise<{ name: string; status: string }> {
  try {
    const res = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(2000) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    return { name, status: res.ok ? 'ok' : (body.status ?? `HTTP ${res.status}`) };
  } catch (err) {
    return { name, status: `unreachable (${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message})` };
  }
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  /** Where each subgraph is fetched, as the gateway resolved it (for the deep health check). */
  const subgraphEndpoints = new Map<string, string>();
  const gateway = new ApolloGateway({
    supergraphSdl: opts.supergraphSdl,
    buildService: ({ name, url }) => {
      const endpoint = opts.subgraphUrls?.[name] ?? url!;
      subgraphEndpoints.set(name, endpoint);
      return new IdentityForwardingDataSource(endpoint, opts.internalSecret, opts.subgraphTimeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS);
    },
    logger: { debug() {}, info() {}, warn: (m) => logger.warn({ service: 'gateway' }, String(m)), error: (m) => logger.error({ service: 'gateway' }, String(m)) },
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => installScalarValidation(apiSchema));
  const verify = createTokenVerifier(opts.jwt);
  let ready = false;
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    includeStacktraceInErrorResponses: opts.includeStacktrace ?? false,
    formatError: maskUnexpectedErrors({ service: 'gateway', includeStacktrace: opts.includeStacktrace ?? false }),
    csrfPrevention: true,
    // The process owner (npm start, tests) stops servers in order; Apollo must not re-raise signals itself.
    stopOnTerminationSignals: false,
    introspection: opts.introspection ?? opts.development,
    validationRules: [operationLimitsRule(opts.limits ?? DEFAULT_LIMITS)],
    parseOptions: { maxTokens: (opts.limits ?? DEFAULT_LIMITS).maxTokens },
    persistedQueries: opts.persistedQueries ? { cache: opts.persistedQueries, ttl: 7 * 86400 } : {},
    // Apollo's landing pages load Sandbox from a CDN; the explorer is served from local files instead.
    plugins: [operationResolutionPlugin, inputChecksPlugin(), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();
  ready = true;
  const explorer = createExplorer({ enabled: opts.explorer ?? opts.development, demoTokens: opts.demoTokens ?? false, jwt: opts.jwt });
  const handler = graphqlHandler({
    apollo,
    maxBodyBytes: opts.maxBodyBytes,
    landingPage: explorer.landingPage,
    routes: {
      ...explorer.routes,
      '/health': (_req, res) => sendJson(res, ready ? 200 : 503, { status: ready ? 'ok' : 'starting' }),
      // Readiness of the whole graph: every subgraph answers its own /health (which checks its database).
      '/health/subgraphs': async (_req, res) => {
        const checks = await Promise.all([...subgraphEndpoints].map(([name, endpoint]) => checkSubgraph(name, endpoint)));
        const healthy = ready && checks.every((c) => c.status === 'ok');
        sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'degraded', subgraphs: Object.fromEntries(checks.map((c) => [c.name, c.status])) });
      },
    },
    context: async (req) => ({ identity: await verify(req.headers.authorization) }),
  });
  const listening = await listen(handler, opts.port, opts.host);
  return {
    ...listening,
    gateway,
    async stop() {
      ready = false;
      await listening.close();
      await apollo.stop();
    },
  };
}
