/**
 * How the core puts a list of features together: contributions are composed in list order, and what
 * only one feature may have (an Apollo Server option, a route, the landing page) is refused at start-up
 * when two claim it, naming both, instead of one silently winning.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { IncomingMessage } from 'node:http';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import type { Route } from '../platform/http';
import type { GatewayContext, GatewayFeature, GatewayView, OwnedApolloOptions, SubgraphFetch, SubgraphRequest, SubgraphRequestSigner } from './feature';
import { logger } from '../platform/logger';
import { earlyAnswerer, type EarlyAnswerer } from './early-answer';

/** Two features claim what only one may have. */
export class FeatureConflictError extends Error {}

export interface CombinedFeatures {
  context(req: IncomingMessage): Promise<GatewayContext>;
  beforeSubgraphFetch(fetch: { subgraph: string; request: SubgraphRequest; context: GatewayContext }): Promise<void>;
  /** `base` wrapped by every feature's fetcher wrapper, the first feature outermost. */
  fetchFor(subgraph: string, base: SubgraphFetch): SubgraphFetch;
  /** Whether any feature says the subgraph accepts batched requests. */
  batchesFetches(subgraph: string): boolean;
  /** The one feature's signer of each HTTP request to a subgraph, if any. */
  signSubgraphRequest?: SubgraphRequestSigner;
  validationRules: ValidationRule[];
  plugins: ApolloServerPlugin<GatewayContext>[];
  apolloOptions: OwnedApolloOptions;
  routes(gateway: GatewayView): Record<string, Route>;
  landingPage?: Route;
  /** Answers a request at the HTTP front when a feature can (`early-answer.ts`); undefined: none can. */
  earlyAnswer?: EarlyAnswerer;
  onSchemaChange(apiSchema: GraphQLSchema, supergraphSdl: string): void;
  /** Closes every feature, last first; one failing does not keep the others open. */
  close(): Promise<void>;
}

/** Merges records whose keys belong to one feature each. */
function claim<T>(what: string, entries: Array<[feature: string, values: Record<string, T> | undefined]>): Record<string, T> {
  const owner = new Map<string, string>();
  const merged: Record<string, T> = {};
  for (const [feature, values] of entries) {
    for (const [key, value] of Object.entries(values ?? {})) {
      if (value === undefined) continue;
      if (owner.has(key)) throw new FeatureConflictError(`${what} ${key} is claimed by two gateway features: ${owner.get(key)} and ${feature}`);
      owner.set(key, feature);
      merged[key] = value;
    }
  }
  return merged;
}

export function combineFeatures(features: readonly GatewayFeature[]): CombinedFeatures {
  const apolloOptions = claim('the Apollo Server option', features.map((f) => [f.name, f.apolloOptions as Record<string, unknown>])) as OwnedApolloOptions;
  const landing = claim('the landing page', features.map((f) => [f.name, { page: f.landingPage }])).page;
  claim('the early answer', features.map((f) => [f.name, { answer: f.answerEarly }]));
  const signSubgraphRequest = claim('the subgraph request signer', features.map((f) => [f.name, { signer: f.signSubgraphRequest }])).signer;
  return {
    async context(req) {
      const context: GatewayContext = {};
      for (const f of features) if (f.context) Object.assign(context, await f.context(req, context));
      return context;
    },
    async beforeSubgraphFetch(fetch) {
      for (const f of features) await f.beforeSubgraphFetch?.(fetch);
    },
    fetchFor(subgraph, base) {
      return features.reduceRight<SubgraphFetch>((next, f) => (f.wrapFetch ? f.wrapFetch(next, subgraph) : next), base);
    },
    batchesFetches: (subgraph) => features.some((f) => f.batchesFetches?.(subgraph) ?? false),
    signSubgraphRequest,
    validationRules: features.flatMap((f) => f.validationRules ?? []),
    plugins: features.flatMap((f) => f.plugins ?? []),
    apolloOptions,
    routes: (gateway) => claim('the route', features.map((f) => [f.name, f.routes?.(gateway)])),
    landingPage: landing,
    earlyAnswer: earlyAnswerer(features, apolloOptions.formatError),
    onSchemaChange(apiSchema, supergraphSdl) {
      for (const f of features) f.onSchemaChange?.(apiSchema, supergraphSdl);
    },
    async close() {
      for (const f of [...features].reverse()) {
        try {
          await f.close?.();
        } catch (err) {
          logger.error({ service: 'gateway', feature: f.name, err }, 'a gateway feature failed to close');
        }
      }
    },
  };
}
