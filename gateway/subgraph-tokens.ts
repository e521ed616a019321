/**
 * The token the gateway sends with every subgraph fetch, ours and partners' alike (one signing path):
 * a JWT signed asymmetrically with the gateway's key (ES256 or EdDSA, `kid` in the header), issued by
 * the gateway, with that subgraph as its only audience (`autograph:subgraph:<name>`), living one minute,
 * carrying the caller — `sub`, `role`, `org` when there is one, or `anonymous: true` — and bound to the
 * request body it is sent with (`platform/identity.ts`).
 *
 * Why a token per subgraph rather than forwarding the client's token: the client's token is for the
 * graph and could be replayed against every subgraph; this one is useless anywhere but the one subgraph
 * it was minted for, for the one request, for a minute, and the subgraph verifies it with the public keys
 * the gateway publishes (`GET /.well-known/jwks.json`) without ever holding a secret of ours.
 */
import { signIdentityToken, subgraphAudience, type Identity } from '../platform/identity';
import { loadOrCreateKeyFile, type SigningKey, type PublicJwk } from '../platform/signing-keys';

/** The audience of the tokens one subgraph receives (a partner's included). */
export const partnerAudience = subgraphAudience;

/** Where the signing key comes from, as the configuration read it. */
export type PartnerKeySource =
  /** Given by configuration (PARTNER_TOKEN_SIGNING_KEY or …_FILE), already parsed. */
  | { kind: 'configured'; key: SigningKey }
  /** Outside production: a key generated once into this file, shared by every gateway on the machine. */
  | { kind: 'generated'; path: string };

export interface PartnerTokenSettings {
  /** The `iss` of every token (PARTNER_TOKEN_ISSUER). */
  issuer: string;
  key: PartnerKeySource;
  /** Public keys still published after a rotation (PARTNER_TOKEN_PREVIOUS_KEYS or …_FILE). */
  previousKeys: readonly PublicJwk[];
}

export interface SubgraphTokenSigner {
  /** The token for one HTTP request to `subgraph` (its JSON `body`: an operation or a batch) on behalf of `identity` (null: an anonymous caller). */
  sign(identity: Identity | null, subgraph: string, body: unknown): Promise<string>;
  /** What `GET /.well-known/jwks.json` serves: the signing key's public half first, then the previous ones. */
  jwks(): { keys: PublicJwk[] };
}

/** Builds the signer; a generated key is read (or created) now, so a broken key file stops start-up. */
export function createSubgraphTokenSigner(settings: PartnerTokenSettings): SubgraphTokenSigner {
  const key = settings.key.kind === 'configured' ? settings.key.key : loadOrCreateKeyFile(settings.key.path);
  const keys = [key.publicJwk, ...settings.previousKeys.filter((k) => k.kid !== key.kid)];
  return {
    // Only the caller's identity goes out: a service principal is never the gateway's to sign.
    sign: (identity, subgraph, body) => signIdentityToken({ key, issuer: settings.issuer, audience: subgraphAudience(subgraph), identity, body }),
    jwks: () => ({ keys }),
  };
}

/** What a subgraph in the same process verifies the gateway's tokens with: its issuer and published keys. */
export function gatewayPublicKeys(settings: PartnerTokenSettings): { issuer: string; keys: { jwks: { keys: PublicJwk[] } } } {
  return { issuer: settings.issuer, keys: { jwks: createSubgraphTokenSigner(settings).jwks() } };
}
