/**
 * The few lines every peer gateway of the benchmark needs to talk to our subgraphs: verify the client's
 * HS256 bearer JWT (with jose, as any gateway would) and sign the caller into `x-autograph-identity`, the
 * token our subgraphs verify (`platform/identity.ts`: for that subgraph, bound to the operation). Nothing
 * else of ours runs in a peer, so the peers are measured as they come. Settings from the variables our
 * gateway reads (JWT_SECRET, JWT_ISSUER, JWT_AUDIENCE, PARTNER_TOKEN_SIGNING_KEY, PARTNER_TOKEN_ISSUER);
 * the bench sets them for every target alike.
 */
import { jwtVerify } from 'jose';
import { IDENTITY_HEADER, isClientRole, signIdentityToken, subgraphAudience, type BoundOperation, type Identity } from '../../platform/identity';
import { parseSigningKey } from '../../platform/signing-keys';

export { IDENTITY_HEADER };

export interface IdentityGlue {
  /** The caller of a request: null without an Authorization header; throws on a token that does not verify. */
  identityOf(authorization: string | null | undefined): Promise<Identity | null>;
  /** The header value our subgraph `subgraph` accepts for that caller and that operation. */
  header(identity: Identity | null, subgraph: string, operation: BoundOperation): Promise<string>;
}

export function identityGlue(env: NodeJS.ProcessEnv = process.env): IdentityGlue {
  const secret = new TextEncoder().encode(env.JWT_SECRET ?? '');
  if (secret.length < 16 || !env.PARTNER_TOKEN_SIGNING_KEY) throw new Error('JWT_SECRET (16+) and PARTNER_TOKEN_SIGNING_KEY must be set');
  const key = parseSigningKey(env.PARTNER_TOKEN_SIGNING_KEY);
  const issuer = env.PARTNER_TOKEN_ISSUER || 'autograph-gateway';
  const options = { issuer: env.JWT_ISSUER ?? 'autograph-local', audience: env.JWT_AUDIENCE ?? 'autograph', algorithms: ['HS256'] };
  return {
    async identityOf(authorization) {
      if (!authorization) return null;
      const { payload } = await jwtVerify(authorization.replace(/^Bearer\s+/i, ''), secret, options);
      if (typeof payload.sub !== 'string' || !isClientRole(payload.role)) throw new Error('token has no subject or role');
      return { sub: payload.sub, role: payload.role, ...(typeof payload.org === 'string' ? { org: payload.org } : {}) };
    },
    header: (identity, subgraph, operation) => signIdentityToken({ key, issuer, audience: subgraphAudience(subgraph), identity, body: operation }),
  };
}

/** The port and supergraph file a peer serves (set by the bench), and its ready line once it listens. */
export function peerSettings(env: NodeJS.ProcessEnv = process.env): { port: number; supergraphPath: string } {
  const port = Number(env.PORT);
  const supergraphPath = env.SUPERGRAPH_PATH ?? '';
  if (!Number.isInteger(port) || port <= 0 || !supergraphPath) throw new Error('PORT and SUPERGRAPH_PATH must be set');
  return { port, supergraphPath };
}

/** Stops the process on the bench's SIGTERM (or Ctrl-C) after `close`. */
export function stopOnSignal(close: () => Promise<unknown>): void {
  const stop = () => void close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
