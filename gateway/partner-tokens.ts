/**
 * The token the gateway sends a partner's subgraph instead of our internal identity header: a JWT signed
 * asymmetrically (ES256 or EdDSA, `kid` in the header), issued by the gateway, with that subgraph as its
 * only audience (`autograph:subgraph:<name>`), living one minute, and carrying the caller — `sub`, `role`,
 * `org` when there is one, or `anonymous: true` — and nothing else of ours.
 *
 * Why a token per subgraph rather than forwarding the client's token: the client's token is for the
 * graph and could be replayed against every subgraph; this one is useless anywhere but the one partner
 * it was minted for, for a minute, and the partner verifies it with the public keys the gateway
 * publishes (`GET /.well-known/jwks.json`) without ever holding a secret of ours.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Identity } from '../platform/identity';
import { loadOrCreateKeyFile, type PartnerSigningKey, type PublicJwk } from './partner-keys';

/** How long a partner token lives: one request's fan-out, with room for clock skew and slow rounds. */
export const PARTNER_TOKEN_TTL_SECONDS = 60;

/** The audience of the tokens one partner subgraph receives. */
export function partnerAudience(subgraph: string): string {
  return `autograph:subgraph:${subgraph}`;
}

/** Where the signing key comes from, as the configuration read it. */
export type PartnerKeySource =
  /** Given by configuration (PARTNER_TOKEN_SIGNING_KEY or …_FILE), already parsed. */
  | { kind: 'configured'; key: PartnerSigningKey }
  /** Outside production: a key generated once into this file, shared by every gateway on the machine. */
  | { kind: 'generated'; path: string };

export interface PartnerTokenSettings {
  /** The `iss` of every partner token (PARTNER_TOKEN_ISSUER). */
  issuer: string;
  key: PartnerKeySource;
  /** Public keys still published after a rotation (PARTNER_TOKEN_PREVIOUS_KEYS or …_FILE). */
  previousKeys: readonly PublicJwk[];
}

export interface PartnerTokenSigner {
  /** The token for one fetch to `subgraph` on behalf of `identity` (null: an anonymous caller). */
  sign(identity: Identity | null, subgraph: string): Promise<string>;
  /** What `GET /.well-known/jwks.json` serves: the signing key's public half first, then the previous ones. */
  jwks(): { keys: PublicJwk[] };
}

/** Builds the signer; a generated key is read (or created) now, so a broken key file stops start-up. */
export function createPartnerTokenSigner(settings: PartnerTokenSettings): PartnerTokenSigner {
  const key = settings.key.kind === 'configured' ? settings.key.key : loadOrCreateKeyFile(settings.key.path);
  const keys = [key.publicJwk, ...settings.previousKeys.filter((k) => k.kid !== key.kid)];
  return {
    async sign(identity, subgraph) {
      // Only the caller's identity goes out: never a service principal or anything else an internal token holds.
      const caller = identity ? { role: identity.role, ...(identity.org ? { org: identity.org } : {}) } : { anonymous: true };
      const jwt = new SignJWT(caller)
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
        .setIssuer(settings.issuer)
        .setAudience(partnerAudience(subgraph))
        .setIssuedAt()
        .setExpirationTime(`${PARTNER_TOKEN_TTL_SECONDS}s`)
        .setJti(randomUUID());
      if (identity) jwt.setSubject(identity.sub);
      return jwt.sign(key.privateKey);
    },
    jwks: () => ({ keys }),
  };
}
