/**
 * The subgraph server kit: every subgraph is a folder with `schema.graphql`, `migrations/`, and a
 * module exporting a `SubgraphModule`; this file turns that into a running Apollo subgraph with the
 * shared scalars, identity check (`caller.ts`), operation limits, per-request DataLoaders and subgraph-to-subgraph client.
 */
import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, print } from 'graphql';
import { checkResolverNames, servedSchema, settingsProblems, type PeerSchema, type ServiceClient, type SubgraphContext, type SubgraphModule } from './module';
import type { Db } from '../../platform/db';
import { MIGRATE_AT_START, prepareSchema, schemaOnStartFor, type SchemaOnStart } from '../../platform/schema-on-start';
import { IDENTITY_HEADER, IdentityError, type Identity } from '../../platform/identity';
import type { SigningKey } from '../../platform/signing-keys';
import { createCallerCheck, signServiceCall, SUBGRAPH_JWKS_PATH, type CallerCheck, type SubgraphIdentityOptions } from './caller';
import { DateTimeScalar } from '../../platform/scalars';
import { DecimalScalar } from '../../platform/money';
import { graphqlHandler, listen, sendJson, type Listening } from '../../platform/http';
import { inputChecksPlugin } from '../../platform/inputs';
import { cachePolicyExtensionPlugin } from './cache-policy';
import { subgraphTelemetryPlugin } from './telemetry';
import { metricsRoute } from '../../platform/metrics';
import { subgraphMigrations } from './migrations';
import { currentRequestId, REQUEST_ID_HEADER } from '../../platform/logger';
import { maskUnexpectedErrors } from '../../platform/masking';
import { injectTraceHeaders, inSpan, SpanKind } from '../../platform/tracing';
import { DEFAULT_LIMITS, operationLimitsRule, subgraphLimits, type OperationLimits } from '../../platform/limits';

export type { ServiceClient, SubgraphContext, SubgraphModule } from './module';

export interface SubgraphRuntimeOptions {
  db: Db;
  /** How callers are verified (the gateway's keys, the peers') and this subgraph's own key for its calls. */
  identity: SubgraphIdentityOptions;
  /** Where each subgraph listens, for service calls. */
  subgraphUrls: Record<string, string>;
  /** The other subgraphs' schemas, for a module built from its peers (`fromPeers`); ignored otherwise. */
  peers?: readonly PeerSchema[];
  port: number;
  host?: string;
  maxBodyBytes?: number;
  /** Include `extensions.stacktrace` in error responses (INCLUDE_STACKTRACE=true; off by default). */
  includeStacktrace?: boolean;
  /** The bearer token `/metrics` asks for (METRICS_TOKEN); unset: loopback callers only. */
  metricsToken?: string;
  /** How long a service call to another subgraph may take (SUBGRAPH_TIMEOUT_MS); default 10 s. */
  serviceCallTimeoutMs?: number;
  /** False: the module's background work runs only when asked (test graphs); default true. */
  scheduledBackground?: boolean;
  /** The gateway's operation limits; the subgraph applies them with room for the query planner's additions. */
  limits?: OperationLimits;
  /** Migrate the schema at start, or only check its version (`platform/schema-on-start.ts`); default: migrate. */
  schemaOnStart?: SchemaOnStart;
}

/** How long a service call waits for the other subgraph by default (the gateway's SUBGRAPH_TIMEOUT_MS is passed in). */
export const DEFAULT_SERVICE_CALL_TIMEOUT_MS = 10_000;

/**
 * Builds the client a subgraph uses to call another subgraph as itself (`service:<self>`, a token signed
 * with its own `key`, for that subgraph and that request only). A call is cancelled
 * after `timeoutMs` (the request waiting on it must not hang with it), and a subgraph that is down or
 * silent is SUBGRAPH_UNAVAILABLE, naming it — the caller's answer says which part of the graph failed.
 */
export function createServiceClient(self: string, key: SigningKey, urls: Record<string, string>, timeoutMs = DEFAULT_SERVICE_CALL_TIMEOUT_MS): ServiceClient {
  return {
    async call<T>(subgraph: string, query: string, variables?: Record<string, unknown>): Promise<T> {
      const url = urls[subgraph];
      if (!url) throw new Error(`${self} called the ${subgraph} subgraph, which is not in this graph`);
      type Answer = { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      const res = await inSpan(`service call ${subgraph}`, SpanKind.CLIENT, { 'autograph.service': self, 'autograph.subgraph': subgraph }, async (span) => {
        const body = { query, variables };
        const headers: Record<string, string> = {
          'content-type': 'application/json',
          // Signed with this subgraph's own key, for that subgraph and this request only.
          [IDENTITY_HEADER]: await signServiceCall(self, key, subgraph, body),
          // The caller's request id goes on, so both subgraphs log this request under one id.
          ...(currentRequestId() ? { [REQUEST_ID_HEADER]: currentRequestId()! } : {}),
        };
        injectTraceHeaders(headers);
        try {
          // The deadline covers the body too: a subgraph that sends headers and then stalls is cut off as well.
          const answer = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
          span.setAttribute('http.response.status_code', answer.status);
          return { status: answer.status, body: (await answer.json()) as Answer };
        } catch (err) {
          if (err instanceof SyntaxError) throw new GraphQLError(`the ${subgraph} subgraph answered something that is not JSON`, { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
          const name = (err as Error)?.name;
          const why = name === 'TimeoutError' || name === 'AbortError' ? `did not answer within ${timeoutMs} ms` : 'cannot be reached';
          throw new GraphQLError(`the ${subgraph} subgraph ${why}; try again shortly`, { extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
        }
      });
      const body = res.body;
      if (body.errors?.length) {
        const first = body.errors[0];
        // Pass the owner's verdict (NOT_FOUND, FORBIDDEN, ...) through unchanged: it is the answer to the caller's question.
        throw new GraphQLError(first.message, { extensions: { code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR' } });
      }
      if (!body.data) throw new Error(`${subgraph} answered ${res.status} without data`);
      return body.data;
    },
  };
}

/**
 * Reads and verifies the caller's identity token (`caller.ts`): the caller, or null for an anonymous
 * caller the gateway signed. A request nobody signed went round the gateway (its token check and limits)
 * and is refused, as is a forged, expired, misdirected or replayed token. `body` is the request body as
 * parsed: the token must be bound to it.
 */
export async function identityFromRequest(req: IncomingMessage, body: unknown, check: CallerCheck): Promise<Identity | null> {
  const header = req.headers[IDENTITY_HEADER];
  const refuse = (message: string) => new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  if (header === undefined) throw refuse('this subgraph answers only requests signed by the gateway: send the request to the gateway');
  // A token is bound to a body; a GET has none to bind it to.
  if (req.method !== 'POST') throw refuse('this subgraph answers GraphQL as POST only (identity tokens are bound to the request body): send the request to the gateway');
  try {
    return await check(Array.isArray(header) ? header[0] : header, body);
  } catch (err) {
    throw refuse(err instanceof IdentityError ? err.message : 'identity could not be verified');
  }
}

/** Builds the federated schema a module serves among these peers, with the shared scalars. */
export function buildModuleSchema<L>(mod: SubgraphModule<L>, peers: readonly PeerSchema[] = []) {
  const served = servedSchema(mod, peers);
  checkResolverNames(mod.name, served.typeDefs, served.resolvers as Record<string, unknown>);
  return buildSubgraphSchema({
    typeDefs: served.typeDefs,
    resolvers: { Decimal: DecimalScalar, DateTime: DateTimeScalar, ...served.resolvers } as GraphQLResolverMap<unknown>,
  });
}

export interface RunningSubgraph extends Listening {
  name: string;
  /**
   * Rebuilds a peer-dependent module's schema for a new set of peers (a contributor joined or left the
   * graph) and swaps it in; requests already running finish on the schema they started with. A no-op for
   * a module whose schema is its own file. Resolves true when it swapped, false when the peers make the
   * schema it already serves (nothing rebuilt).
   */
  updatePeers(peers: readonly PeerSchema[]): Promise<boolean>;
  /** Stops serving; `delayMs` and `drainMs` as for the gateway (`RunningGateway.stop`). */
  stop(opts?: { delayMs?: number; drainMs?: number }): Promise<void>;
}

/**
 * Migrates the subgraph's schema, or checks it is at this code's version (`opts.schemaOnStart`; nothing
 * for a stateless one), and starts serving it over HTTP.
 */
export async function startSubgraph<L>(mod: SubgraphModule<L>, opts: SubgraphRuntimeOptions): Promise<RunningSubgraph> {
  const problems = settingsProblems([mod as SubgraphModule]);
  if (problems.length) throw new Error(`${mod.name}: invalid configuration:\n  - ${problems.join('\n  - ')}`);
  const migrations = subgraphMigrations(mod);
  if (migrations) await prepareSchema(opts.db, migrations, schemaOnStartFor(opts.db, opts.schemaOnStart ?? MIGRATE_AT_START));
  const services = createServiceClient(mod.name, opts.identity.serviceKey, opts.subgraphUrls, opts.serviceCallTimeoutMs);
  const callerCheck = createCallerCheck(mod.name, opts.identity, opts.subgraphUrls);
  const jwks = { keys: [opts.identity.serviceKey.publicJwk, ...(opts.identity.previousServiceKeys ?? []).filter((k) => k.kid !== opts.identity.serviceKey.kid)] };
  const limits = subgraphLimits(opts.limits ?? DEFAULT_LIMITS);
  /** Told to stop (SIGTERM): `/health` says so while the requests in flight still run. */
  let stopping = false;
  const buildHandler = async (peers: readonly PeerSchema[]) => {
    const apollo = new ApolloServer<SubgraphContext<L>>({
      schema: buildModuleSchema(mod, peers),
      includeStacktraceInErrorResponses: opts.includeStacktrace ?? false,
      formatError: maskUnexpectedErrors({ service: mod.name, includeStacktrace: opts.includeStacktrace ?? false }),
      csrfPrevention: true,
      // The process owner (npm start, tests) stops servers in order; Apollo must not re-raise signals itself.
      stopOnTerminationSignals: false,
      validationRules: [operationLimitsRule(limits)],
      parseOptions: { maxTokens: limits.maxTokens },
      // The schema's @cacheControl hints become this subgraph's cache policy (no hint: max-age 0, not
      // cached), in the Cache-Control header and in each answer's extensions: the gateway's response cache
      // reads it. No inline traces. No landing page: Apollo's default loads Sandbox from its CDN; the
      // explorer is the gateway's (gateway/explorer.ts).
      plugins: [
        ApolloServerPluginInlineTraceDisabled(),
        ApolloServerPluginCacheControl({ defaultMaxAge: 0, calculateHttpHeaders: true }),
        ApolloServerPluginLandingPageDisabled(),
        inputChecksPlugin(),
        cachePolicyExtensionPlugin(),
        subgraphTelemetryPlugin(mod.name),
      ],
      // The gateway sends a request's same-round fetches of this subgraph as one batch (one context, one set of DataLoaders).
      allowBatchedHttpRequests: true,
    });
    await apollo.start();
    const handler = graphqlHandler({
      apollo,
      service: mod.name,
      maxBodyBytes: opts.maxBodyBytes ?? 1_000_000,
      routes: {
        '/metrics': metricsRoute(opts.metricsToken),
        // This subgraph's public key, for its peers to verify its calls (cacheable: an unknown kid is refetched).
        [SUBGRAPH_JWKS_PATH]: (_req, res) => {
          res.setHeader('cache-control', 'public, max-age=300');
          sendJson(res, 200, jwks);
        },
        '/health': async (_req, res) => {
          if (stopping) return sendJson(res, 503, { status: 'stopping', subgraph: mod.name });
          if (mod.stateless) return sendJson(res, 200, { status: 'ok', subgraph: mod.name });
          try {
            await opts.db.query('SELECT 1');
            sendJson(res, 200, { status: 'ok', subgraph: mod.name });
          } catch {
            sendJson(res, 503, { status: 'database unavailable', subgraph: mod.name });
          }
        },
      },
      context: async (req, body) => {
        const identity = await identityFromRequest(req, body, callerCheck);
        return { db: opts.db, identity, loaders: mod.createLoaders(opts.db, identity), services };
      },
    });
    return { apollo, handler, inFlight: 0 };
  };
  let current = await buildHandler(opts.peers ?? []);
  let servedSdl = mod.fromPeers ? print(servedSchema(mod, opts.peers ?? []).typeDefs) : '';
  const retired = new Set<typeof current>();
  const stopWhenIdle = (gen: typeof current) => {
    if (gen.inFlight === 0 && retired.delete(gen)) void gen.apollo.stop();
  };
  const listening = await listen(async (req, res) => {
    const gen = current; // a request is served start to finish by the schema it arrived on
    gen.inFlight++;
    res.once('close', () => {
      gen.inFlight--;
      stopWhenIdle(gen);
    });
    await gen.handler(req, res);
  }, opts.port, opts.host);
  let peers = opts.peers ?? [];
  const background = mod.background?.({ db: opts.db, services, peers: () => peers, scheduled: opts.scheduledBackground ?? true });
  return {
    ...listening,
    name: mod.name,
    async updatePeers(latest) {
      peers = latest;
      if (!mod.fromPeers) return false;
      // A peer that contributes nothing (a partner with policies only) changes nothing this module serves:
      // rebuilding anyway would cost a schema build at the moment a publish needs the CPU most.
      const sdl = print(servedSchema(mod, latest).typeDefs);
      if (sdl === servedSdl) return false;
      const next = await buildHandler(latest);
      servedSdl = sdl;
      const previous = current;
      current = next;
      retired.add(previous);
      stopWhenIdle(previous);
      return true;
    },
    async stop({ delayMs = 0, drainMs = 0 } = {}) {
      stopping = true;
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      await background?.stop();
      await listening.close({ drainMs });
      await Promise.all([current, ...retired].map((g) => g.apollo.stop()));
    },
  };
}
