/**
 * Feature: the explorer (GraphiQL from local files, `gateway/explorer.ts`) as the landing page and its
 * routes; a plain page saying where the graph is when it is off. Reads EXPLORER (default: on in
 * development only); demo tokens only in development with the built-in development secret.
 */
import { bool, type NodeEnv } from '../../platform/env';
import type { JwtSettings } from '../auth';
import { createExplorer } from '../explorer';
import type { GatewayFeature } from '../feature';
import { DEV_JWT_SECRET } from './auth';

export interface ExplorerSettings {
  /** Serve the explorer at the graph's URL and at /explorer. */
  explorer: boolean;
  /**
   * The explorer may hand out demo-driver tokens: only in development AND with the built-in development
   * secret, so a deployment that set its own JWT_SECRET (or a JWKS) but forgot NODE_ENV never mints
   * real tokens for anyone who opens the page.
   */
  demoTokens: boolean;
}

export function readExplorerSettings(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, jwt: JwtSettings, problems: string[]): ExplorerSettings {
  return {
    explorer: bool(env, 'EXPLORER', nodeEnv === 'development', problems),
    demoTokens: nodeEnv === 'development' && jwt.secret === DEV_JWT_SECRET && !jwt.jwksUrl,
  };
}

export function explorerFeature(opts: { enabled: boolean; demoTokens: boolean; jwt: JwtSettings }): GatewayFeature {
  const explorer = createExplorer(opts);
  return { name: 'explorer', landingPage: explorer.landingPage, routes: () => explorer.routes };
}
