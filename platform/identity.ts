/**
 * Who is calling, and how that travels from the gateway to a subgraph.
 *
 * The gateway verifies the client's bearer JWT, then forwards the identity to subgraphs in the
 * `x-autograph-identity` header as `<base64url(json)>.<base64url(hmac-sha256)>`, signed with the
 * internal secret that only the gateway and the subgraphs share and valid for a short time. A client
 * that calls a subgraph directly cannot produce that signature, so it cannot pretend to be anyone.
 * Subgraphs also use it to call each other as the `service` role.
 *
 * A caller without a token is signed too, in an anonymous form: "anonymous, via the gateway" is a
 * request the gateway checked (limits, token) and a subgraph answers; "nobody signed this" is a
 * request that went round the gateway, and a subgraph refuses it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Roles a client token may carry. */
export const CLIENT_ROLES = ['customer', 'partner', 'analyst', 'admin'] as const;
export type ClientRole = (typeof CLIENT_ROLES)[number];
/** `service` is only ever minted by subgraphs for subgraph-to-subgraph calls, never accepted from a client token. */
export type Role = ClientRole | 'service';

export interface Identity {
  /** The user id (for customers) or principal name. */
  sub: string;
  role: Role;
  /** The partner's organisation (store chain, station operator, manufacturer); only for `partner`. */
  org?: string;
}

export const IDENTITY_HEADER = 'x-autograph-identity';
/** How long a forwarded identity stays valid: long enough for one request's fan-out, short enough to be useless if captured. */
const TTL_SECONDS = 60;

export function isClientRole(value: unknown): value is ClientRole {
  return typeof value === 'string' && (CLIENT_ROLES as readonly string[]).includes(value);
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** Signs an identity for forwarding to subgraphs; `null` signs an anonymous caller. */
export function signIdentity(identity: Identity | null, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  const claims = identity ? { ...identity, exp: nowSeconds + TTL_SECONDS } : { anonymous: true, exp: nowSeconds + TTL_SECONDS };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

/** Why a forwarded identity was refused; the message is safe to show to the caller. */
export class IdentityError extends Error {}

/**
 * Verifies a forwarded identity header: the identity, or `null` for an anonymous caller the gateway
 * signed. Throws `IdentityError` when it is forged, malformed or expired.
 */
export function verifyIdentity(header: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): Identity | null {
  const dot = header.indexOf('.');
  if (dot <= 0 || header.length > 4096) throw new IdentityError('malformed identity header');
  const payload = header.slice(0, dot);
  const given = Buffer.from(header.slice(dot + 1), 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new IdentityError('identity signature is not valid: call the graph through the gateway');
  }
  let claims: { sub?: unknown; role?: unknown; org?: unknown; exp?: unknown; anonymous?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new IdentityError('malformed identity header');
  }
  if (typeof claims.exp !== 'number' || claims.exp < nowSeconds) throw new IdentityError('forwarded identity has expired');
  if (claims.anonymous === true && claims.sub === undefined && claims.role === undefined) return null;
  if (typeof claims.sub !== 'string' || !(isClientRole(claims.role) || claims.role === 'service') || claims.anonymous !== undefined) {
    throw new IdentityError('malformed identity header');
  }
  return { sub: claims.sub, role: claims.role as Role, ...(typeof claims.org === 'string' ? { org: claims.org } : {}) };
}
