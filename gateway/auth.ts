/**
 * Client authentication at the gateway: a bearer JWT, verified for signature, issuer, audience and
 * expiry. HS256 with a local secret by default; a JWKS URL (RS256/ES256) for real deployments.
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { isClientRole, type Identity } from '../subgraphs/kit/identity';

export interface JwtSettings {
  issuer: string;
  audience: string;
  /** HS256 shared secret (local use). */
  secret?: string;
  /** JWKS endpoint (real deployments); when set, the secret is not accepted. */
  jwksUrl?: string;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<Identity | null>;

function refuse(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** Builds the verifier for `Authorization` headers. No header means an anonymous caller; a bad one is refused. */
export function createTokenVerifier(settings: JwtSettings): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.jwksUrl) {
    key = createRemoteJWKSet(new URL(settings.jwksUrl));
    algorithms = ['RS256', 'ES256', 'PS256', 'EdDSA'];
  } else if (settings.secret) {
    key = new TextEncoder().encode(settings.secret);
    algorithms = ['HS256'];
  } else {
    throw new Error('JWT settings need a secret or a JWKS URL');
  }
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return null;
    const m = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/.exec(authorization.trim());
    if (!m) throw refuse('the Authorization header must be "Bearer <JWT>"');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(m[1], key as JWTVerifyGetKey, { issuer: settings.issuer, audience: settings.audience, algorithms, requiredClaims: ['exp', 'sub'] }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') throw refuse('token has expired: get a new one');
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw refuse(`token is not for this graph: ${(err as Error).message}`);
      throw refuse('token is not valid (bad signature, algorithm or format)');
    }
    const { sub, role, org } = payload;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw refuse('token has no usable subject');
    if (!isClientRole(role)) throw refuse('token role must be one of customer, partner, analyst, admin');
    if (role === 'partner' && (typeof org !== 'string' || org === '')) throw refuse('a partner token must name its organisation in the "org" claim');
    return { sub, role, ...(role === 'partner' ? { org: org as string } : {}) };
  };
}

/** Mints an HS256 token the local gateway accepts (for `npm run token` and tests). */
export async function mintToken(settings: JwtSettings & { secret: string }, identity: Identity, ttlSeconds = 3600): Promise<string> {
  return new SignJWT({ role: identity.role, ...(identity.org ? { org: identity.org } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(identity.sub)
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(settings.secret));
}
