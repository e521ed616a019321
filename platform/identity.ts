/**
 * Who is calling, and how that travels from the gateway to a subgraph.
 *
 * The gateway verifies the client's bearer JWT, then sends every subgraph fetch an identity token of its
 * own: a JWT signed asymmetrically (ES256 or EdDSA, `kid` in the header) with the gateway's private key,
 * whose audience is that one subgraph (`autograph:subgraph:<name>`), living one minute, carrying the
 * caller (`sub`, `role`, `org`, or `anonymous: true`) and bound to the HTTP request it rides on: the
 * `req_sha256` claim is the SHA-256 of what the request asks (`requestBinding`: its document, variables
 * and operation name; for a batch, of each operation in order). A subgraph verifies it with the gateway's
 * public keys (JWKS) and recomputes the binding from the body it received, so a token captured on the way
 * is good for nothing but the same request to the same subgraph within its minute: not another subgraph,
 * not another document, not other variables. Subgraphs hold only public keys: nothing they hold can mint
 * a caller.
 *
 * The canonical form hashed is `JSON.stringify([query, variables, operationName])` of the values as
 * parsed, not the body's bytes: a JSON round trip gives back the same text for the same values (key order
 * is kept), so a sender can compute it from the operation it is about to send, before its HTTP layer
 * serialises it (Apollo's `willSendRequest`, another gateway's request hook), and whitespace or member
 * order at the top of the body does not matter. A batch is one HTTP request with one header, so one token
 * binds the whole array: no operation can be added, dropped, reordered or swapped in it.
 *
 * A caller without a token is signed too, in an anonymous form: "anonymous, via the gateway" is a
 * request the gateway checked (limits, token) and a subgraph answers; "nobody signed this" is a request
 * that went round the gateway, and a subgraph refuses it.
 */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JSONWebKeySet, type JWTPayload } from 'jose';

/** Roles a client token may carry. */
export const CLIENT_ROLES = ['customer', 'partner', 'analyst', 'admin'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];
/** `service` is only ever held by a subgraph calling another, never accepted from a client or the gateway. */
export type Role = ClientRole | 'service';

export interface Identity {
  /** The user id (for customers) or principal name (`service:<subgraph>` for a service). */
  sub: string;
  role: Role;
  /** The partner's organisation (store chain, station operator, manufacturer); only for `partner`. */
  org?: string;
}

/** The header our own subgraphs read the identity token from (a partner's subgraph gets it as `Authorization: Bearer`). */
export const IDENTITY_HEADER = 'x-autograph-identity';
/** How long an identity token stays valid: one request's fan-out, with room for clock skew and slow rounds. */
export const IDENTITY_TOKEN_TTL_SECONDS = 60;
/** The claim that binds a token to the request body it was minted for. */
export const BODY_BINDING_CLAIM = 'req_sha256';
/** The algorithms identity tokens are signed with. */
export const IDENTITY_TOKEN_ALGORITHMS = ['ES256', 'EdDSA'] as const;
/** Longest token accepted: an identity token is a few hundred characters. */
const MAX_TOKEN_CHARS = 4096;

export function isClientRole(value: unknown): value is ClientRole {
  return typeof value === 'string' && (CLIENT_ROLES as readonly string[]).includes(value);
}

/** The audience of the tokens one subgraph (ours or a partner's) receives. */
export function subgraphAudience(subgraph: string): string {
  return `autograph:subgraph:${subgraph}`;
}

/** One GraphQL operation as a request body carries it. */
export interface BoundOperation {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

const canonicalOperation = (op: BoundOperation | null | undefined) => [op?.query ?? null, op?.variables ?? null, op?.operationName ?? null];

/**
 * The binding of a token to a request: SHA-256 (base64url) of the canonical form of its operation, or of
 * its batch's operations in order. `body` is the JSON body as sent or as parsed (an object, or an array for
 * a batch); anything else (a body that is not a GraphQL request) binds as an empty operation.
 */
export function requestBinding(body: unknown): string {
  const canonical = Array.isArray(body) ? body.map((op) => canonicalOperation(op)) : canonicalOperation(body !== null && typeof body === 'object' ? (body as BoundOperation) : null);
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/** A private key tokens are signed with, and the `kid` its public half is published under. */
export interface TokenSigningKey {
  privateKey: KeyObject;
  kid: string;
  alg: (typeof IDENTITY_TOKEN_ALGORITHMS)[number];
}

/** The token for one request to `audience` on behalf of `identity` (null: an anonymous caller), bound to its `body` (`requestBinding`). */
export async function signIdentityToken(opts: { key: TokenSigningKey; issuer: string; audience: string; identity: Identity | null; body: unknown }): Promise<string> {
  const { identity } = opts;
  const caller = identity ? { role: identity.role, ...(identity.org ? { org: identity.org } : {}) } : { anonymous: true };
  const jwt = new SignJWT({ ...caller, [BODY_BINDING_CLAIM]: requestBinding(opts.body) })
    .setProtectedHeader({ alg: opts.key.alg, kid: opts.key.kid, typ: 'JWT' })
    .setIssuer(opts.issuer)
    .setAudience(opts.audience)
    .setIssuedAt()
    .setExpirationTime(`${IDENTITY_TOKEN_TTL_SECONDS}s`)
    .setJti(randomUUID());
  if (identity) jwt.setSubject(identity.sub);
  return jwt.sign(opts.key.privateKey);
}

/** Why an identity token was refused; the message is safe to show to the caller. */
export class IdentityError extends Error {}

/**
 * Where a verifier finds the signer's public keys: the JWKS itself (in one process: the embedded stack,
 * tests), or its URL (separate processes: GATEWAY_JWKS_URL). Fetched keys are cached by `kid` for
 * `cacheMaxAgeMs` (a retired key is refused at the latest that long after it left the JWKS); an unknown
 * `kid` (a new key after a rotation) refetches at once, but at most once per `cooldownMs`, so a stream of
 * forged kids cannot turn into a stream of fetches.
 */
export type PublicKeySource = { jwks: JSONWebKeySet } | { jwksUrl: string; cacheMaxAgeMs?: number; cooldownMs?: number };

/** How long fetched public keys are trusted before the JWKS is read again (the gateway serves it with max-age=300). */
export const DEFAULT_JWKS_CACHE_MAX_AGE_MS = 300_000;
/** The shortest interval between two JWKS fetches for unknown kids. */
export const DEFAULT_JWKS_COOLDOWN_MS = 30_000;

export interface TokenVerifierOptions {
  /** The `iss` the tokens must carry. */
  issuer: string;
  /** The `aud` the tokens must carry: this subgraph's. */
  audience: string;
  keys: PublicKeySource;
  /** Whom the tokens come from, for the messages ("the gateway", "the orders subgraph"). */
  signer: string;
}

/** The claims of a verified token, for the caller to read its principal from. */
export type VerifiedClaims = JWTPayload & Record<string, unknown>;

/**
 * Verifies identity tokens for one audience: signature with a published key, issuer, audience, expiry,
 * and the binding to the request `body` (as parsed). Resolves the claims; rejects with an `IdentityError` saying what is wrong.
 */
export function createTokenVerifier(opts: TokenVerifierOptions): (token: string, body: unknown) => Promise<VerifiedClaims> {
  const keys =
    'jwks' in opts.keys
      ? createLocalJWKSet(opts.keys.jwks)
      : createRemoteJWKSet(new URL(opts.keys.jwksUrl), {
          cacheMaxAge: opts.keys.cacheMaxAgeMs ?? DEFAULT_JWKS_CACHE_MAX_AGE_MS,
          cooldownDuration: opts.keys.cooldownMs ?? DEFAULT_JWKS_COOLDOWN_MS,
          timeoutDuration: 5_000,
        });
  return async (token, body) => {
    if (token.length > MAX_TOKEN_CHARS || token.split('.').length !== 3) throw new IdentityError('malformed identity token: expected a JWT');
    try {
      decodeProtectedHeader(token);
    } catch {
      throw new IdentityError('malformed identity token: its header is not readable');
    }
    let payload: VerifiedClaims;
    try {
      ({ payload } = await jwtVerify(token, keys, { issuer: opts.issuer, audience: opts.audience, algorithms: [...IDENTITY_TOKEN_ALGORITHMS], requiredClaims: ['exp', 'iat', 'jti'] }));
    } catch (err) {
      throw new IdentityError(refusal(err, opts));
    }
    if (payload[BODY_BINDING_CLAIM] !== requestBinding(body)) throw new IdentityError(`identity token was minted for another request (its ${BODY_BINDING_CLAIM} is not this request's): each token is good for the one request it came with`);
    return payload;
  };
}

/** A person can act on these: which check failed, never the key material. */
function refusal(err: unknown, opts: TokenVerifierOptions): string {
  if (err instanceof errors.JWTExpired) return 'identity token has expired';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return `identity token was minted for another audience, not ${opts.audience}`;
    if (err.claim === 'iss') return `identity token was not issued by ${opts.signer} (issuer ${opts.issuer})`;
    return `identity token claim ${err.claim} is not valid (${err.reason})`;
  }
  if (err instanceof errors.JWKSNoMatchingKey) return `identity token is signed with a key ${opts.signer} does not publish (retired, or never ours)`;
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'identity token signature is not valid: call the graph through the gateway';
  if (err instanceof errors.JOSEAlgNotAllowed) return `identity token algorithm is not accepted (only ${IDENTITY_TOKEN_ALGORITHMS.join(' or ')})`;
  // Not a verdict on the token: the keys could not be fetched (down, slow, not a JWKS).
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError)) return `the public keys of ${opts.signer} cannot be read right now: try again shortly`;
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return 'malformed identity token';
  return 'identity token could not be verified';
}

/** The caller a gateway-signed token carries: a client identity, or null for an anonymous caller. */
export function callerFromClaims(claims: VerifiedClaims): Identity | null {
  if (claims.anonymous === true && claims.sub === undefined && claims.role === undefined) return null;
  if (typeof claims.sub !== 'string' || !claims.sub || !isClientRole(claims.role) || claims.anonymous !== undefined || (claims.org !== undefined && typeof claims.org !== 'string')) {
    throw new IdentityError('malformed identity token: the caller it names is not a client identity');
  }
  return { sub: claims.sub, role: claims.role, ...(typeof claims.org === 'string' ? { org: claims.org } : {}) };
}
