/**
 * Feature: identity forwarding. Every HTTP request to a subgraph carries a token the gateway signs for
 * that subgraph alone, bound to that request's body (`gateway/subgraph-tokens.ts`, `platform/identity.ts`):
 *   - our own subgraphs (the tree's folders, `ownSubgraphs`) get it in the `x-autograph-identity` header,
 *     plus the request id they log under;
 *   - any other subgraph of the supergraph is a partner's, on the partner's infrastructure: it gets the
 *     same kind of token as `Authorization: Bearer <JWT>`, and none of our internal headers.
 * Every subgraph verifies with the public keys served at `GET /.well-known/jwks.json`; none holds anything
 * that could sign. Unknown means partner: a subgraph published into the graph that is not one of our
 * folders never sees the internal header. Only the gateway's headers count: the token is set as the
 * request leaves, and the gateway never passes a client's headers on. An anonymous caller is signed too (a
 * subgraph refuses what nobody signed).
 * Reads its own variables: PARTNER_TOKEN_SIGNING_KEY(_FILE), PARTNER_TOKEN_PREVIOUS_KEYS(_FILE),
 * PARTNER_TOKEN_ISSUER (the names predate internal tokens; the key signs every subgraph's).
 */
import type { NodeEnv } from '../../platform/env';
import { sendJson } from '../../platform/http';
import { IDENTITY_HEADER } from '../../platform/identity';
import { currentRequestId, REQUEST_ID_HEADER } from '../../platform/logger';
import type { GatewayFeature } from '../feature';
import { keyTextOf, SigningKeyError, parsePreviousKeys, parseSigningKey, type PublicJwk } from '../../platform/signing-keys';
import { createSubgraphTokenSigner, type PartnerKeySource, type PartnerTokenSettings } from '../subgraph-tokens';

/** Where the generated development key lives (relative to the working directory, beside the PGlite data). */
export const DEV_PARTNER_KEY_PATH = '.data/partner-token-signing-key.pem';
export const JWKS_PATH = '/.well-known/jwks.json';
const DEFAULT_ISSUER = 'autograph-gateway';

/**
 * How partner tokens are signed, from the environment; each bad value adds one problem. `required`:
 * production demands the key (false for a subgraph alone, which only needs the issuer to verify with).
 */
export function readPartnerTokenSettings(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[], required = true): PartnerTokenSettings {
  const issuer = env.PARTNER_TOKEN_ISSUER || DEFAULT_ISSUER;
  if (issuer.length > 256 || /\s/.test(issuer)) problems.push(`PARTNER_TOKEN_ISSUER=${JSON.stringify(issuer.slice(0, 80))} must be 1 to 256 characters without spaces (a name or the gateway's URL)`);

  let key: PartnerKeySource = { kind: 'generated', path: DEV_PARTNER_KEY_PATH };
  const given = keyTextOf(env, 'PARTNER_TOKEN_SIGNING_KEY', problems);
  if (given) {
    try {
      key = { kind: 'configured', key: parseSigningKey(given.text) };
    } catch (err) {
      if (!(err instanceof SigningKeyError)) throw err;
      problems.push(`${given.from} ${err.message}`);
    }
  } else if (nodeEnv === 'production' && required && !problems.some((p) => p.startsWith('PARTNER_TOKEN_SIGNING_KEY'))) {
    problems.push('PARTNER_TOKEN_SIGNING_KEY or PARTNER_TOKEN_SIGNING_KEY_FILE must be set when NODE_ENV=production (the private key partner tokens are signed with: EC P-256 or Ed25519, PEM or JWK)');
  }

  let previousKeys: PublicJwk[] = [];
  const previous = keyTextOf(env, 'PARTNER_TOKEN_PREVIOUS_KEYS', problems);
  if (previous) {
    try {
      previousKeys = parsePreviousKeys(previous.text);
    } catch (err) {
      if (!(err instanceof SigningKeyError)) throw err;
      problems.push(`${previous.from} ${err.message}`);
    }
  }
  return { issuer, key, previousKeys };
}

export function identityForwardingFeature(opts: { ownSubgraphs: readonly string[]; partnerTokens: PartnerTokenSettings }): GatewayFeature {
  const own = new Set(opts.ownSubgraphs);
  const tokens = createSubgraphTokenSigner(opts.partnerTokens);
  return {
    name: 'identity-forwarding',
    beforeSubgraphFetch({ subgraph, request }) {
      const headers = request.http?.headers;
      if (!headers) return;
      // Whatever another feature may have put there: the token is set as the request leaves, and only there.
      headers.delete(IDENTITY_HEADER);
      headers.delete('authorization');
      if (own.has(subgraph)) {
        const requestId = currentRequestId();
        if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
        return;
      }
      // A partner: none of our internal headers leaves.
      headers.delete(REQUEST_ID_HEADER);
    },
    async signSubgraphRequest({ subgraph, body, context }): Promise<Record<string, string>> {
      const token = await tokens.sign(context.identity ?? null, subgraph, body);
      return own.has(subgraph) ? { [IDENTITY_HEADER]: token } : { authorization: `Bearer ${token}` };
    },
    routes: () => ({
      // Public keys only, cacheable for a few minutes: a subgraph refetches on an unknown `kid` anyway.
      [JWKS_PATH]: (_req, res) => {
        res.setHeader('cache-control', 'public, max-age=300');
        sendJson(res, 200, tokens.jwks());
      },
    }),
  };
}
