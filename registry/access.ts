/**
 * Who may use the registry (first slice): an `Authorization: Bearer <JWT>` verified exactly as the gateway
 * verifies client tokens (`gateway/auth.ts`, the same settings and refusals), and only the `admin` role.
 * No token is 401; a token that does not verify is the gateway's 401 with its `WWW-Authenticate`
 * challenge; any other role is 403. Partner credentials and per-name grants come next.
 */
import { GraphQLError } from 'graphql';
import { createTokenVerifier, type JwtSettings } from '../gateway/auth';
import type { Identity } from '../platform/identity';
import { RegistryError } from './requests';

/**
 * Who may call a route: `admin` (admins only), `gateway` (admins and gateway credentials: what gateways and
 * peer-following subgraphs read and report), `subgraph` (admins, and partners granted the subgraph name in
 * the route's first path parameter).
 */
export type RouteAccess = 'admin' | 'gateway' | 'subgraph';

/** Verifies the caller of a route that needs `access`; throws a RegistryError (401/403) when it may not call it. */
export type RegistryAccess = (authorization: string | undefined, access: RouteAccess) => Promise<Identity>;

const CHALLENGE = 'Bearer realm="autograph"';

export function registryAccess(jwt: JwtSettings): RegistryAccess {
  const verify = createTokenVerifier(jwt);
  return async (authorization) => {
    let identity: Identity | null;
    try {
      identity = await verify(authorization);
    } catch (err) {
      if (!(err instanceof GraphQLError)) throw err;
      const http = err.extensions.http as { status?: number; headers?: Map<string, string> } | undefined;
      const challenge = http?.headers?.get('www-authenticate') ?? CHALLENGE;
      throw new RegistryError(http?.status ?? 401, 'UNAUTHENTICATED', err.message, undefined, { 'www-authenticate': challenge });
    }
    if (!identity) throw new RegistryError(401, 'UNAUTHENTICATED', 'sign in: send "Authorization: Bearer <JWT>" with an admin token', undefined, { 'www-authenticate': CHALLENGE });
    if (identity.role !== 'admin') throw new RegistryError(403, 'FORBIDDEN', `the registry accepts only admin tokens for now; the role ${identity.role} may not use it`);
    return identity;
  };
}
