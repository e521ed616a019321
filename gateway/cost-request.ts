/**
 * The estimated cost of the request being served, computed once per request and shared: demand control
 * refuses on it, and other features (rate limits weighing a request by its cost) read the same number
 * with `requestCost(requestContext)` instead of estimating again.
 *
 * The cost model belongs to the API schema it was composed with (registered by demand control on each new
 * supergraph), so a request planned on the previous supergraph during a swap is weighed with that one's
 * directives, and several gateways in one process (tests) never share a model.
 */
import type { GraphQLRequestContext } from '@apollo/server';
import type { DocumentNode, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { estimateCost, type CostModel, type CostOptions } from './cost';

const models = new WeakMap<GraphQLSchema, { model: CostModel; opts: CostOptions }>();
const costs = new WeakMap<object, number | undefined>();

/** Makes `model` the one requests validated against `schema` are weighed with. */
export function registerCostModel(schema: GraphQLSchema, model: CostModel, opts: CostOptions): void {
  models.set(schema, { model, opts });
}

/**
 * The estimated cost of the request's operation, or undefined before its operation is resolved (Apollo's
 * `didResolveOperation` and every later hook have it) or when no cost model serves its schema (demand
 * control is not in the feature list).
 */
export function requestCost(requestContext: GraphQLRequestContext<any>): number | undefined {
  if (costs.has(requestContext)) return costs.get(requestContext);
  // Apollo's context holds these from `didResolveOperation` on (its types add them per hook).
  const { schema, document, operation } = requestContext as { schema?: GraphQLSchema; document?: DocumentNode; operation?: OperationDefinitionNode };
  const served = schema && models.get(schema);
  if (!served || !document || !operation) return undefined;
  const cost = estimateCost(schema, served.model, document, operation, requestContext.request.variables, served.opts);
  costs.set(requestContext, cost);
  return cost;
}
