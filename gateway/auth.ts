/**
 * Client authentication at the gateway: a bearer JWT, verified for signature, issuer, audience,
 * expiry and a bounded lifetime. HS256 with a local secret by default; a JWKS URL (RS256/ES256) for
 * real deployments.
 *
 * The rule (README "Identity and roles"): no Authorization header is an anonymous caller, and fields
 * that need sign-in answer a field error UNAUTHENTICATED (HTTP 200, with whatever data the rest of the
 * operation produced). A header that is present but wrong is a request error: HTTP 401 with
 * `WWW-Authenticate: Bearer …` and a message saying what is wrong, before anything is executed.
 */
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { isClientRole, type Identity } from '../platform/identity';

export interface JwtSettings {
  issuer: string;
  audience: string;
  /** HS256 shared secret (local use). */
  secret?: string;
  /** JWKS endpoint (real deployments); when set, the secret is not accepted. */
  jwksUrl?: string;
  /** Longest accepted lifetime, `exp - iat`, in seconds (JWT_MAX_TTL_SECONDS); 86400 when unset. */
  maxTtlSeconds?: number;
}

export type TokenVerifier = (authorization: string | undefined) => Promise<Identity | null>;

/** Used when settings name no cap (tests, callers that build settings by hand). */
const FALLBACK_MAX_TTL_SECONDS = 86_400;
/** Clock difference tolerated between the token issuer and this gateway for `iat`. */
const CLOCK_SKEW_SECONDS = 60;
const REALM = 'autograph';

/**
 * A refused Authorization header: 401 with a WWW-Authenticate challenge (RFC 6750 §3). `invalid_request`
 * for a header that is not a bearer JWT at all, `invalid_token` for a JWT that does not pass; no error
 * code when another scheme was used (the client did not try bearer authentication).
 */
function refuse(message: string, error?: 'invalid_request' | 'invalid_token'): GraphQLError {
  // error_description allows printable ASCII except `"` and `\`.
  const description = message.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, '?');
  const challenge = error ? `Bearer realm="${REALM}", error="${error}", error_description="${description}"` : `Bearer realm="${REALM}"`;
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: new HeaderMap([['www-authenticate', challenge]]) } } });
}

const PART_NAMES = ['header', 'payload', 'signature'];

/** Takes the JWT out of an Authorization header, or says precisely why the header is not `Bearer <JWT>`. */
function bearerToken(authorization: string): string {
  const m = /^(\S+)(?:\s+(.*))?$/s.exec(authorization.trim());
  const scheme = m?.[1] ?? '';
  const credentials = (m?.[2] ?? '').trim();
  // Schemes are case-insensitive (RFC 7235 §2.1): "bearer" and "BEARER" are Bearer.
  if (scheme.toLowerCase() !== 'bearer') throw refuse(`the Authorization scheme "${scheme}" is not accepted: send "Authorization: Bearer <JWT>"`);
  if (credentials === '') throw refuse('the Bearer token is empty: send "Authorization: Bearer <JWT>"', 'invalid_request');
  if (/\s/.test(credentials)) throw refuse('the Bearer token contains spaces: a JWT is one word, header.payload.signature', 'invalid_request');
  const parts = credentials.split('.');
  if (parts.length !== 3) throw refuse(`the Bearer token is not a JWT: it has ${parts.length} dot-separated part${parts.length === 1 ? '' : 's'}, a JWT has three (header.payload.signature)`, 'invalid_request');
  for (const [i, part] of parts.entries()) {
    // An empty signature is the unsigned form (alg "none"); the verifier refuses it with its own message.
    if (part === '' && i < 2) throw refuse(`the Bearer token's ${PART_NAMES[i]} (part ${i + 1} of 3) is empty`, 'invalid_request');
    if (!/^[A-Za-z0-9_-]*$/.test(part)) throw refuse(`the Bearer token's ${PART_NAMES[i]} (part ${i + 1} of 3) is not base64url (only A-Z a-z 0-9 - _ are allowed, no padding)`, 'invalid_request');
  }
  return credentials;
}

/** The refusal for an error from jose's verification, named by what failed. */
function verificationRefusal(err: unknown, algorithms: string[]): GraphQLError {
  const { code, claim, message } = err as { code?: string; claim?: string; message?: string };
  if (code === 'ERR_JWT_EXPIRED') return refuse('token has expired: get a new one', 'invalid_token');
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    if (claim === 'iat') return refuse('token has no usable "iat" (issued-at) claim: its lifetime cannot be checked, so it is refused', 'invalid_token');
    if (claim === 'exp') return refuse('token has no usable "exp" (expiry) claim: tokens without an expiry are refused', 'invalid_token');
    if (claim === 'sub') return refuse('token has no usable subject', 'invalid_token');
    return refuse(`token is not for this graph: ${message}`, 'invalid_token');
  }
  if (code === 'ERR_JOSE_ALG_NOT_ALLOWED') return refuse(`token is not valid: its algorithm is not accepted here (accepted: ${algorithms.join(', ')})`, 'invalid_token');
  if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return refuse('token is not valid: its signature does not verify (signed with another key?)', 'invalid_token');
  if (code === 'ERR_JWKS_NO_MATCHING_KEY') return refuse('token is not valid: no key of the identity provider matches it', 'invalid_token');
  return refuse('token is not valid: its header or payload is not well-formed JWT JSON', 'invalid_token');
}

/** Verified claims that do not name a caller of this graph; the message says what is wrong with them. */
export class ClaimsError extends Error {}

/**
 * The caller a client token's verified claims name: the one mapping from client claims to our Identity,
 * used by this gateway after jose verified the token and by the Apollo Router coprocessor with the claims
 * the router verified (`scripts/router-coprocessor.ts`). Throws a ClaimsError saying what is wrong.
 */
export function identityFromClaims(payload: Record<string, unknown>, maxTtlSeconds: number = FALLBACK_MAX_TTL_SECONDS): Identity {
  // A lifetime cap bounds what a leaked token is worth. `iat` in the future would let a token claim a
  // short lifetime while staying valid for longer, so that is refused too.
  const { exp, iat } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new ClaimsError('token has no usable "exp" (expiry) claim: tokens without an expiry are refused');
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new ClaimsError('token has no usable "iat" (issued-at) claim: its lifetime cannot be checked, so it is refused');
  if (iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) throw new ClaimsError('token is issued in the future ("iat" is later than now): check the issuer\'s clock');
  if (exp - iat > maxTtlSeconds) throw new ClaimsError(`token lives too long: exp - iat is ${exp - iat} s, this graph accepts at most ${maxTtlSeconds} s (JWT_MAX_TTL_SECONDS): get a shorter-lived token`);
  const { sub, role, org } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw new ClaimsError('token has no usable subject');
  if (!isClientRole(role)) throw new ClaimsError('token role must be one of customer, partner, analyst, admin');
  if (role === 'partner' && (typeof org !== 'string' || org === '')) throw new ClaimsError('a partner token must name its organisation in the "org" claim');
  return { sub, role, ...(role === 'partner' ? { org: org as string } : {}) };
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
  const maxTtl = settings.maxTtlSeconds ?? FALLBACK_MAX_TTL_SECONDS;
  return async (authorization) => {
    if (authorization === undefined || authorization === '') return null;
    const token = bearerToken(authorization);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, { issuer: settings.issuer, audience: settings.audience, algorithms, requiredClaims: ['exp', 'iat', 'sub'] }));
    } catch (err) {
      throw verificationRefusal(err, algorithms);
    }
    try {
      return identityFromClaims(payload, maxTtl);
    } catch (err) {
      if (err instanceof ClaimsError) throw refuse(err.message, 'invalid_token');
      throw err;
    }
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
