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

/**
 * What every request carries through the gateway. A feature that adds a field declares it here, so
 * that the features reading it are typed too.
 */
export interface GatewayContext {
  /** The verified caller (null: anonymous); set by the auth feature, forwarded by identity forwarding. */
  identity?: Identity | null;
  /** What this request spent of its caller's rate limit (the rate-limits feature; its response headers say it). */
  rateLimit?: RateLimitCharge;
}

/** The request the gateway is about to send to a subgraph (its `http.headers` may be changed). */
export type SubgraphRequest = Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]['request'];

/** How a subgraph fetch is made: Node's `fetch` at the bottom, wrapped by features. */
export type SubgraphFetcher = (url: string, init: RequestInit) => Promise<Response>;

/** Apollo Server options a feature may own; each is owned by one feature at most. */
export type OwnedApolloOptions = Partial<
  Pick<ApolloServerOptionsWithGateway<GatewayContext>, 'persistedQueries' | 'introspection' | 'parseOptions' | 'formatError' | 'includeStacktraceInErrorResponses' | 'documentStore' | 'cache'>
>;

/** What the core tells features about itself while it runs (the health routes read it). */
export interface GatewayView {
  /** True from the first supergraph loaded until the gateway stops. */
  readonly ready: boolean;
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
   * Wraps the fetcher of one subgraph. In list order from the outside in: the first feature's wrapper
   * sees a fetch first (a cache in front of a timeout), the last one is nearest the network.
   */
  wrapFetcher?(next: SubgraphFetcher, subgraph: string): SubgraphFetcher;
  /** GraphQL validation rules, run on every operation before it is planned. */
  validationRules?: ValidationRule[];
  /** Apollo Server plugins, in list order. */
  plugins?: ApolloServerPlugin<GatewayContext>[];
  /** Apollo Server options this feature owns. */
  apolloOptions?: OwnedApolloOptions;
  /** Extra GET routes by exact path (`/health`); a path belongs to one feature. */
  routes?(gateway: GatewayView): Record<string, Route>;
  /** What a browser opening the graph's URL gets (one feature at most). */
  landingPage?: Route;
  /** Called with each new API schema before it serves a request (the first one included). */
  onSchemaChange?(apiSchema: GraphQLSchema, supergraphSdl: string): void;
  /** Releases what the feature holds (connections), after the server has stopped; in reverse list order. */
  close?(): Promise<void>;
}
