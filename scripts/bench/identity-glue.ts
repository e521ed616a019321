/**
 * The few lines every peer gateway of the benchmark needs to talk to our subgraphs: verify the client's
 * HS256 bearer JWT (with jose, as any gateway would) and sign the caller into `x-autograph-identity`, the
 * header our subgraphs verify (`platform/identity.ts`). Nothing else of ours runs in a peer, so the peers are
 * measured as they come. Settings from the variables our gateway reads (JWT_SECRET, JWT_ISSUER,
 * JWT_AUDIENCE, AUTOGRAPH_INTERNAL_SECRET); the bench sets them for every target alike.
 */
import { jwtVerify } from 'jose';
import { IDENTITY_HEADER, isClientRole, signIdentity, type Identity } from '../../platform/identity';

export { IDENTITY_HEADER };

export interface IdentityGlue {
  /** The caller of a request: null without an Authorization header; throws on a token that does not verify. */
  identityOf(authorization: string | null | undefined): Promise<Identity | null>;
  /** The header value our subgraphs accept for that caller. */
  header(identity: Identity | null): string;
}

export function identityGlue(env: NodeJS.ProcessEnv = process.env): IdentityGlue {
  const secret = new TextEncoder().encode(env.JWT_SECRET ?? '');
  const internalSecret = env.AUTOGRAPH_INTERNAL_SECRET ?? '';
  if (secret.length < 16 || internalSecret.length < 32) throw new Error('JWT_SECRET (16+) and AUTOGRAPH_INTERNAL_SECRET (32+) must be set');
  const options = { issuer: env.JWT_ISSUER ?? 'autograph-local', audience: env.JWT_AUDIENCE ?? 'autograph', algorithms: ['HS256'] };
  return {
    async identityOf(authorization) {
      if (!authorization) return null;
      const { payload } = await jwtVerify(authorization.replace(/^Bearer\s+/i, ''), secret, options);
      if (typeof payload.sub !== 'string' || !isClientRole(payload.role)) throw new Error('token has no subject or role');
      return { sub: payload.sub, role: payload.role, ...(typeof payload.org === 'string' ? { org: payload.org } : {}) };
    },
    header: (identity) => signIdentity(identity, internalSecret),
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
