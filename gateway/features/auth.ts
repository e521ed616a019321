/**
 * Feature: client authentication. Each request's `Authorization: Bearer <JWT>` is verified
 * (`gateway/auth.ts`) into the context's `identity`: null for a caller without the header, a 401
 * request error for a header that is wrong. Reads its own variables: JWT_SECRET, JWT_JWKS_URL,
 * JWT_ISSUER, JWT_AUDIENCE, JWT_MAX_TTL_SECONDS.
 */
import { url, wholeNumber, type NodeEnv } from '../../platform/env';
import { createTokenVerifier, type JwtSettings } from '../auth';
import type { GatewayFeature } from '../feature';

/** The local development signing secret. Refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'autograph-local-development-secret';

/**
 * Longest token lifetime (`exp - iat`) accepted. Production tokens come from an identity provider whose
 * access tokens live minutes, so an hour bounds what a leaked token is worth; in development the printed
 * demo request carries a 24-hour token so that it keeps working through a day of trying things.
 */
export const DEFAULT_JWT_MAX_TTL_SECONDS = { production: 3600, other: 86_400 } as const;

/**
 * How client tokens are verified, from the environment; each bad value adds one problem. `required`:
 * production demands a secret or JWKS (false for a process that verifies no client token: a subgraph alone).
 */
export function readJwtSettings(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[], required = true): JwtSettings & { maxTtlSeconds: number } {
  const production = nodeEnv === 'production';
  const jwksUrl = url(env, 'JWT_JWKS_URL', ['https:', 'http:'], problems);
  let secret = env.JWT_SECRET || undefined;
  if (!secret && !jwksUrl) {
    if (production && required) problems.push('JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production');
    // Never the development secret in production, even where nothing verifies with it.
    secret = production && !required ? undefined : DEV_JWT_SECRET;
  }
  if (secret && secret.length < 16) problems.push('JWT_SECRET must be at least 16 characters');
  if (production && secret === DEV_JWT_SECRET) problems.push('JWT_SECRET must not be the development secret when NODE_ENV=production');
  const maxTtlSeconds = wholeNumber(env, 'JWT_MAX_TTL_SECONDS', production ? DEFAULT_JWT_MAX_TTL_SECONDS.production : DEFAULT_JWT_MAX_TTL_SECONDS.other, 60, 30 * 86_400, problems);
  return { issuer: env.JWT_ISSUER || 'autograph-local', audience: env.JWT_AUDIENCE || 'autograph', secret: jwksUrl ? undefined : secret, jwksUrl, maxTtlSeconds };
}

export function authFeature(jwt: JwtSettings): GatewayFeature {
  const verify = createTokenVerifier(jwt);
  return {
    name: 'auth',
    context: async (req) => ({ identity: await verify(req.headers.authorization) }),
  };
}
