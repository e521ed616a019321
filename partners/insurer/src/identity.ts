/**
 * Who is calling, as the graph's gateway says: every request from the gateway carries
 * `Authorization: Bearer <JWT>`, signed with the gateway's private key (ES256 or EdDSA), issued by the
 * gateway, for this subgraph's audience only (`autograph:subgraph:insurer`), living a minute. This
 * subgraph verifies it with the gateway's public keys, fetched from the gateway's
 * `/.well-known/jwks.json` (and fetched again when a token names a key not seen yet: the gateway rotated).
 * Anything else — no token, another signer, another partner's audience, expired — is refused with 401
 * before any resolver runs. The token holds the caller and nothing else: `sub`, `role`, `org` when there is
 * one, or `anonymous: true` for a caller the gateway let in without signing in.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';

/** The caller the gateway vouches for; null for an anonymous caller. */
export type Caller = { sub: string; role: 'customer' | 'partner' | 'analyst' | 'admin'; org?: string } | null;

const ROLES = ['customer', 'partner', 'analyst', 'admin'];
/** The gateway's tokens live 60 s; anything claiming to be older than this is not one of them. */
const MAX_TOKEN_AGE = '120s';
/** Allowed difference between the gateway's clock and ours. */
const CLOCK_TOLERANCE_SECONDS = 5;

/** A refused request: answered 401 with this message. */
export class Unauthenticated extends Error {}
/** The gateway's public keys cannot be fetched: answered 503 (the caller is not at fault; retry). */
export class KeysUnavailable extends Error {}

export type GatewayTokenVerifier = (authorization: string | undefined) => Promise<Caller>;

export function createGatewayTokenVerifier(opts: { jwksUrl: string; issuer: string; audience: string; keys?: JWTVerifyGetKey }): GatewayTokenVerifier {
  // jose keeps the key set, refetches it for an unknown `kid` (at most every 30 s) and every 10 minutes.
  const keys = opts.keys ?? createRemoteJWKSet(new URL(opts.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
  return async (authorization) => {
    const m = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(authorization?.trim() ?? '');
    if (!authorization) throw new Unauthenticated('this subgraph answers only the graph\'s gateway: send your request to the gateway');
    if (!m) throw new Unauthenticated('the Authorization header is not "Bearer <JWT>"');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(m[1], keys, {
        issuer: opts.issuer,
        audience: opts.audience,
        algorithms: ['ES256', 'EdDSA'],
        requiredClaims: ['exp', 'iat'],
        maxTokenAge: MAX_TOKEN_AGE,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('ERR_') || code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC') {
        throw new KeysUnavailable('the gateway\'s public keys cannot be fetched right now: try again');
      }
      throw new Unauthenticated(refusal(err));
    }
    if (payload.anonymous === true && payload.sub === undefined && payload.role === undefined) return null;
    const { sub, role, org } = payload;
    if (typeof sub !== 'string' || sub === '' || typeof role !== 'string' || !ROLES.includes(role) || (org !== undefined && typeof org !== 'string')) {
      throw new Unauthenticated('the token does not name a caller (sub and role, or anonymous)');
    }
    return { sub, role: role as NonNullable<Caller>['role'], ...(typeof org === 'string' ? { org } : {}) };
  };
}

/** Why jose refused a token, in words a caller can act on. */
function refusal(err: unknown): string {
  const { code, claim } = err as { code?: string; claim?: string };
  if (code === 'ERR_JWT_EXPIRED') return 'the token has expired';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'aud') return 'the token is for another subgraph (wrong audience)';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && claim === 'iss') return 'the token was not issued by the gateway (wrong issuer)';
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return `the token's "${claim}" claim is not acceptable`;
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JWKS_NO_MATCHING_KEY') return 'the token is not signed by the gateway';
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'the token is not signed with ES256 or EdDSA';
  return 'the token is not a valid JWT';
}
