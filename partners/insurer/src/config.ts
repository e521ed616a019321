/**
 * The insurer's configuration, from environment variables, checked once at start-up: every bad value is
 * reported at once, naming the variable and what it accepts.
 */

export interface InsurerConfig {
  port: number;
  host: string;
  /** The gateway whose tokens are accepted; its public keys are fetched from `<origin>/.well-known/jwks.json`. */
  gatewayUrl: string;
  jwksUrl: string;
  /** The `iss` the gateway puts in its tokens (its PARTNER_TOKEN_ISSUER). */
  issuer: string;
  /** The audience the gateway's tokens must name: this subgraph, as published. */
  audience: string;
  /** PostgreSQL (its own schema there) when set; otherwise an embedded PGlite in `pgliteDir`. */
  databaseUrl?: string;
  dbSchema: string;
  pgliteDir: string;
  /** Who the demo policies and premiums belong to (empty: no demo data). */
  seedUser: string;
}

export class InsurerConfigError extends Error {}

/** The graph's documented demo user. */
export const DEFAULT_SEED_USER = 'demo-driver';

function httpUrl(raw: string, name: string, problems: string[]): URL | undefined {
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u;
  } catch {
    // reported below
  }
  problems.push(`${name}=${JSON.stringify(raw)} is not an http:// or https:// URL`);
  return undefined;
}

export function loadInsurerConfig(env: NodeJS.ProcessEnv = process.env): InsurerConfig {
  const problems: string[] = [];
  const portRaw = env.PORT || '4010';
  const port = Number(portRaw);
  if (!/^\d+$/.test(portRaw) || port > 65535) problems.push(`PORT=${JSON.stringify(portRaw)} is not a TCP port (1-65535, or 0 for any free port)`);

  const gatewayUrl = env.GATEWAY_URL || 'http://127.0.0.1:4000/graphql';
  const gateway = httpUrl(gatewayUrl, 'GATEWAY_URL', problems);
  const jwksUrl = env.GATEWAY_JWKS_URL || (gateway ? new URL('/.well-known/jwks.json', gateway).toString() : '');
  if (env.GATEWAY_JWKS_URL) httpUrl(env.GATEWAY_JWKS_URL, 'GATEWAY_JWKS_URL', problems);
  if (env.NODE_ENV === 'production' && gateway && gateway.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(gateway.hostname)) {
    problems.push('GATEWAY_URL must be https:// when NODE_ENV=production (the public keys that decide who is calling are fetched from it)');
  }

  const dbSchema = env.INSURER_DB_SCHEMA || 'insurer';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(dbSchema)) problems.push(`INSURER_DB_SCHEMA=${JSON.stringify(dbSchema)} must be a lower-case PostgreSQL name (letters, digits, _; at most 63)`);
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');

  const seedUser = env.INSURER_SEED_USER ?? DEFAULT_SEED_USER;
  if (seedUser.length > 128) problems.push('INSURER_SEED_USER must be at most 128 characters (empty: no demo data)');

  const issuer = env.GATEWAY_TOKEN_ISSUER || 'autograph-gateway';
  const audience = env.INSURER_AUDIENCE || 'autograph:subgraph:insurer';
  if (problems.length) throw new InsurerConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    gatewayUrl,
    jwksUrl,
    issuer,
    audience,
    databaseUrl,
    dbSchema,
    pgliteDir: env.PGLITE_DIR || '.data/insurer-pglite',
    seedUser,
  };
}
