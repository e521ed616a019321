/**
 * Feature: operation limits. An operation deeper, more aliased or (fragments written out) bigger than
 * the limits is refused before planning (`platform/limits.ts`; MAX_QUERY_DEPTH, MAX_ALIASES,
 * MAX_TOKENS), and the parser refuses a document of more than MAX_TOKENS tokens.
 */
import { operationLimitsRule, type OperationLimits } from '../../platform/limits';
import type { GatewayFeature } from '../feature';

export function operationLimitsFeature(limits: OperationLimits): GatewayFeature {
  return {
    name: 'operation-limits',
    validationRules: [operationLimitsRule(limits)],
    apolloOptions: { parseOptions: { maxTokens: limits.maxTokens } },
  };
}
