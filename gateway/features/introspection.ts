/** Feature: whether clients may introspect the schema (INTROSPECTION; on outside production). */
import { bool, type NodeEnv } from '../../platform/env';
import type { GatewayFeature } from '../feature';

export function readIntrospection(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[]): boolean {
  return bool(env, 'INTROSPECTION', nodeEnv !== 'production', problems);
}

export function introspectionFeature(opts: { enabled: boolean }): GatewayFeature {
  return { name: 'introspection', apolloOptions: { introspection: opts.enabled } };
}
