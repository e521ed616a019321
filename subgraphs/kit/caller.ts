/**
 * Who is calling a subgraph, as the subgraph checks it, and how it calls its peers.
 *
 * Two kinds of token arrive in the identity header, both JWTs bound to the request body and with this
 * subgraph as audience (`platform/identity.ts`):
 *   - the gateway's (`iss` = the gateway's issuer): it carries a client — a person, a partner's user, an
 *     anonymous caller — and is verified with the gateway's public keys;
 *   - a peer subgraph's (`iss` = `autograph:service:<name>`): it is that subgraph calling on its own
 *     behalf, and is verified with that subgraph's own public keys (its `/.well-known/jwks.json`). The
 *     principal is taken from the issuer and nothing else, so a subgraph's key can assert only itself
 *     (`service:<name>`), never a person and never another service. The gateway cannot mint a service
 *     principal either: a gateway token carrying `role: service` is refused.
 * Which service may do what is then up to each policy (`auth.ts`).
 */
import { decodeJwt } from 'jose';
import { createTokenVerifier, callerFromClaims, IdentityError, signIdentityToken, subgraphAudience, type Identity, type PublicKeySource, type VerifiedClaims } from '../../platform/identity';
import type { PublicJwk, SigningKey } from '../../platform/signing-keys';

/** The path every subgraph serves its own public keys at, for its peers to verify its calls. */
export const SUBGRAPH_JWKS_PATH = '/.well-known/jwks.json';
const SERVICE_ISSUER_PREFIX = 'autograph:service:';

/** The `iss` of the tokens a subgraph signs its own calls with. */
export function serviceIssuer(subgraph: string): string {
  return `${SERVICE_ISSUER_PREFIX}${subgraph}`;
}

/** The principal a subgraph calls its peers as. */
export function servicePrincipal(subgraph: string): Identity {
  return { sub: `service:${subgraph}`, role: 'service' };
}

export interface SubgraphIdentityOptions {
  /** The gateway's tokens: the issuer they carry and where the gateway's public keys are. */
  gateway: { issuer: string; keys: PublicKeySource };
  /** This subgraph's own private key: it signs its calls to peers; the public half is served at SUBGRAPH_JWKS_PATH. */
  serviceKey: SigningKey;
  /** Public keys still served beside the service key's while its callers switch keys (a rotation). */
  previousServiceKeys?: readonly PublicJwk[];
  /**
   * A peer's public keys when it runs in this process (the embedded stack, tests); undefined for a peer:
   * they are read from the JWKS beside the peer's URL, as a separate process must.
   */
  peerKeys?: (subgraph: string) => PublicKeySource | undefined;
}

/** Checks an identity token for subgraph `self`: the caller, null for an anonymous one, or an IdentityError. */
export type CallerCheck = (token: string, body: unknown) => Promise<Identity | null>;

export function createCallerCheck(self: string, opts: SubgraphIdentityOptions, peerUrls: Readonly<Record<string, string>>): CallerCheck {
  const audience = subgraphAudience(self);
  const fromGateway = createTokenVerifier({ issuer: opts.gateway.issuer, audience, keys: opts.gateway.keys, signer: 'the gateway' });
  const peers = new Map<string, (token: string, body: unknown) => Promise<VerifiedClaims>>();
  // Only the graph's own subgraphs are peers: an issuer naming anything else never makes us fetch a URL.
  const peerVerifier = (name: string) => {
    const known = peers.get(name);
    if (known) return known;
    const keys = opts.peerKeys?.(name) ?? (Object.hasOwn(peerUrls, name) ? { jwksUrl: new URL(SUBGRAPH_JWKS_PATH, peerUrls[name]).toString() } : undefined);
    if (!keys) return undefined;
    const verify = createTokenVerifier({ issuer: serviceIssuer(name), audience, keys, signer: `the ${name} subgraph` });
    peers.set(name, verify);
    return verify;
  };
  return async (token, body) => {
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new IdentityError('malformed identity token: expected a JWT');
    }
    if (typeof issuer === 'string' && issuer.startsWith(SERVICE_ISSUER_PREFIX)) {
      const name = issuer.slice(SERVICE_ISSUER_PREFIX.length);
      const verify = name === self ? undefined : peerVerifier(name);
      if (!verify) throw new IdentityError(`identity token is issued by ${JSON.stringify(issuer.slice(0, 80))}, which is not another subgraph of this graph`);
      const claims = await verify(token, body);
      const principal = servicePrincipal(name);
      if (claims.sub !== principal.sub || claims.role !== 'service') throw new IdentityError(`a service token names the service that signed it and nothing else: ${name} signed for ${JSON.stringify(String(claims.sub).slice(0, 80))}`);
      return principal;
    }
    return callerFromClaims(await fromGateway(token, body));
  };
}

/** Signs one call of `self` to `subgraph` with `body`, as `service:<self>`. */
export function signServiceCall(self: string, key: SigningKey, subgraph: string, body: unknown): Promise<string> {
  return signIdentityToken({ key, issuer: serviceIssuer(self), audience: subgraphAudience(subgraph), identity: servicePrincipal(self), body });
}
