/**
 * What a gateway feature may add. The core (`server.ts`) is Apollo Gateway + Apollo Server behind the
 * platform's HTTP front and knows no concrete feature; everything the gateway does beyond routing
 * operations to subgraphs is one feature in a list (`features.ts` builds it from configuration). Every
 * member is optional: a feature fills in what it needs, and the core composes the list in order.
 */
import type { IncomingMessage } from 'node:http';
import type { ApolloServerOptionsWithGateway, ApolloServerPlugin } from '@apollo/server';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Route } from '../platform/http';
import type { Identity } from '../platform/identity';
import type { SupergraphStatus } from './supergraph-source';
import type { RateLimitCharge } from './rate-limiter';

/** What one request's subgraph fetches did with the response cache (the `x-cache` header, `extensions.cache`). */
export interface RequestCacheState {
  hits: number;
  misses: number;
  /** This request's cache generations, read once (lazily) for all its fetches; null: Redis did not answer. */
  generations?: Promise<{ public: string; private?: string; whole: string } | null>;
  /**
   * What the answer as a whole may be cached as, narrowed by every fetch: the earliest end of freshness
   * of its parts (epoch ms) and whether any is private. `uncacheable`: some part may not be stored (no
   * hint, an error, a partner's subgraph, a mutation, no Redis), so the whole answer is not stored either.
   */
  whole?: { until: number; private: boolean; uncacheable: boolean };
  /** Where the whole answer is stored once known (set at the HTTP front when the request could be answered from it). */
  wholeKey?: { public: string; private?: string };
}

/**
 * What a whole cached answer carries besides its data, so that a hit is judged and charged as the
 * operation was: its estimated cost (demand control) and the rate-limit points it spent in all.
 */
export interface CachedOperationFacts {
  cost?: number;
  points?: number;
}

/** A request the HTTP front may answer before Apollo runs: its parsed JSON body and the client's headers. */
export interface EarlyRequest {
  req: IncomingMessage;
  body: { query?: string; operationName?: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> };
  context: GatewayContext;
}

/** A whole answer found before Apollo runs: the `data` as JSON text, its headers, and what it is judged by. */
export interface EarlyAnswer {
  dataJson: string;
  headers: Record<string, string>;
  extensions?: Record<string, unknown>;
  facts: CachedOperationFacts;
}

/** What a feature adds to an early answer it admits: headers (rate limits) and `extensions` (cost). */
export interface EarlyAdmission {
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/**
 * What every request carries through the gateway. A feature that adds a field declares it here, so
 * that the features reading it are typed too.
 */
export interface GatewayContext {
  /** The verified caller (null: anonymous); set by the auth feature, forwarded by identity forwarding. */
  identity?: Identity | null;
  /** What this request's subgraph fetches did with the response cache; set by the response-cache feature. */
  responseCache?: RequestCacheState;
  /** What this request spent of its caller's rate limit (the rate-limits feature; its response headers say it). */
  rateLimit?: RateLimitCharge;
  /** The points the resolved operation spent in all (the rate-limits feature): a whole cached answer records them. */
  rateLimitPoints?: number;
}

/** The request the gateway is about to send to a subgraph (its `http.headers` may be changed). */
export type SubgraphRequest = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]['request'];

/**
 * One fetch of one subgraph, as features see it: what the query planner sends, where, for whom. A
 * feature wrapping the fetch may answer it itself (a cache), share it (deduplication), bound it
 * (timeouts) or pass it on changed.
 */
export interface SubgraphCall {
  subgraph: string;
  /** Where it is sent: the routing URL, or its override. */
  url: string;
  /** The operation the planner sends (a root fetch, or `_entities` with its representations). */
  body: { query: string; variables?: Record<string, unknown>; operationName?: string; extensions?: Record<string, unknown> };
  /** Queries may be cached, shared and retried; mutations never. */
  operation: 'query' | 'mutation';
  /** Headers sent, set by the `beforeSubgraphFetch` hooks (identity, request id), lower-case names. */
  headers: Record<string, string>;
  /** The request being served; empty for the gateway's own fetches (health checks, probes). */
  context: GatewayContext;
  /** The longest this fetch may wait for the subgraph's answer, in ms (none: unbounded). */
  timeoutMs?: number;
  /**
   * The response cache's generation this fetch was looked up under: identical fetches are shared only
   * within one (an answer fetched before a mutation is not handed to a request made after it).
   */
  generation?: string;
}

/** A subgraph's answer: its HTTP status and headers (lower-case names) and the GraphQL response. */
export interface SubgraphReply {
  status: number;
  headers: Record<string, string | undefined>;
  body: { data?: Record<string, unknown> | null; errors?: ReadonlyArray<Record<string, unknown>>; extensions?: Record<string, unknown> };
}

/** Headers that bind one HTTP request to a subgraph (`GatewayFeature.signSubgraphRequest`). */
export type SubgraphRequestSigner = (request: { subgraph: string; body: unknown; context: GatewayContext }) => Promise<Record<string, string>>;

/** How a subgraph fetch is made: a pooled HTTP client at the bottom (`subgraph-client.ts`), wrapped by features. */
export type SubgraphFetch = (call: SubgraphCall) => Promise<SubgraphReply>;

/** Apollo Server options a feature may own; each is owned by one feature at most. */
export type OwnedApolloOptions = Partial<
  Pick<ApolloServerOptionsWithGateway<GatewayContext>, 'persistedQueries' | 'introspection' | 'parseOptions' | 'formatError' | 'includeStacktraceInErrorResponses' | 'documentStore' | 'cache'>
>;

/** What the core tells features about itself while it runs (the health routes read it). */
export interface GatewayView {
  /** True from the first supergraph loaded until the gateway stops. */
  readonly ready: boolean;
  /** True once the gateway was told to stop (SIGTERM): the health routes say so while requests still run. */
  readonly stopping: boolean;
  /** Where each subgraph of the supergraph being served is fetched (routing URL, or its override). */
  subgraphEndpoints(): ReadonlyMap<string, string>;
  /** What the supergraph source serves and last refused. */
  supergraph(): SupergraphStatus;
}

export interface GatewayFeature {
  /** Names the feature in start-up errors (two features owning one option or route). */
  name: string;
  /**
   * Adds to each request's context, in list order (a later feature sees what earlier ones added).
   * Throw a GraphQLError to refuse the request before anything runs.
   */
  context?(req: IncomingMessage, soFar: Readonly<GatewayContext>): Promise<Partial<GatewayContext>> | Partial<GatewayContext>;
  /** Runs before each subgraph fetch, in list order: set headers (identity, request id). */
  beforeSubgraphFetch?(fetch: { subgraph: string; request: SubgraphRequest; context: GatewayContext }): void | Promise<void>;
  /**
   * Headers for one HTTP request to a subgraph, given its body as sent (an operation, or the array of a
   * batch): the identity token bound to it. Called by the client at the bottom, after batching: a batch of operations is one request with
   * one body and gets one set. One feature at most.
   */
  signSubgraphRequest?: SubgraphRequestSigner;
  /**
   * Wraps the fetcher of one subgraph. In list order from the outside in: the first feature's wrapper
   * sees a fetch first (a cache in front of a timeout), the last one is nearest the network.
   */
  wrapFetch?(next: SubgraphFetch, subgraph: string): SubgraphFetch;
  /**
   * Whether a subgraph accepts several operations in one HTTP request (an array body): the client then
   * batches a request's same-round queries to it. True when any feature says so.
   */
  batchesFetches?(subgraph: string): boolean;
  /**
   * Answers a request at the HTTP front, before Apollo parses anything (a whole cached answer; one
   * feature at most). Runs after every `context` hook (auth, the rate limit's first point). Undefined:
   * Apollo serves the request as usual.
   */
  answerEarly?(request: EarlyRequest): Promise<EarlyAnswer | undefined>;
  /**
   * Judges an early answer as the feature would judge the operation in Apollo's pipeline (the safelist,
   * the cost budget, the rest of the rate limit): throw a GraphQLError to refuse it, with the status in
   * `extensions.http`. In list order; a refusal stops the rest.
   */
  admitEarlyAnswer?(answer: EarlyAnswer, request: EarlyRequest): EarlyAdmission | void | Promise<EarlyAdmission | void>;
  /** GraphQL validation rules, run on every operation before it is planned. */
  validationRules?: ValidationRule[];
  /** Apollo Server plugins, in list order. */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** Apollo Server options this feature owns. */
  apolloOptions?: OwnedApolloOptions;
  /** Extra routes by exact path: `/health` answers GET, `POST /cache/invalidate` a POST, `/app/*` GET of every path under `/app/`; a route belongs to one feature. */
  routes?(gateway: GatewayView): Record<string, Route>;
  /** What a browser opening the graph's URL gets (one feature at most). */
  landingPage?: Route;
  /** Called with each new API schema before it serves a request (the first one included). */
  onSchemaChange?(apiSchema: GraphQLSchema, supergraphSdl: string): void;
  /** Releases what the feature holds (connections), after the server has stopped; in reverse list order. */
  close?(): Promise<void>;
}
