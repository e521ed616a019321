/**
 * Feature: identity forwarding. Every subgraph fetch carries the caller's identity, in the form that
 * subgraph is entitled to:
 *   - our own subgraphs (the tree's folders, `ownSubgraphs`) get it HMAC-signed with the secret only the
 *     gateway and they share (`platform/identity.ts`), plus the request id they log under;
 *   - any other subgraph of the supergraph is a partner's, on the partner's infrastructure: it gets
 *     `Authorization: Bearer <JWT>` signed with the gateway's private key for that subgraph's audience
 *     (`gateway/partner-tokens.ts`), and none of our internal headers — nothing it could replay against
 *     our subgraphs. Its public keys are served at `GET /.well-known/jwks.json`.
 * Unknown means partner: a subgraph published into the graph that is not one of our folders never sees
 * the internal header. Only the gateway's headers count: `set` replaces any copy, and the gateway never
 * passes a client's headers on. An anonymous caller is signed too (a subgraph refuses what nobody signed).
 * Reads its own variables: PARTNER_TOKEN_SIGNING_KEY(_FILE), PARTNER_TOKEN_PREVIOUS_KEYS(_FILE),
 * PARTNER_TOKEN_ISSUER.
 */
import { readFileSync } from 'node:fs';
import type { NodeEnv } from '../../platform/env';
import { sendJson } from '../../platform/http';
import { IDENTITY_HEADER, signIdentity } from '../../platform/identity';
import { currentRequestId, REQUEST_ID_HEADER } from '../../platform/logger';
import type { GatewayFeature } from '../feature';
import { PartnerKeyError, parsePreviousKeys, parseSigningKey, type PublicJwk } from '../partner-keys';
import { createPartnerTokenSigner, type PartnerKeySource, type PartnerTokenSettings } from '../partner-tokens';

/** Where the generated development key lives (relative to the working directory, beside the PGlite data). */
export const DEV_PARTNER_KEY_PATH = '.data/partner-token-signing-key.pem';
export const JWKS_PATH = '/.well-known/jwks.json';
const DEFAULT_ISSUER = 'autograph-gateway';

/** The text of `<NAME>` or of the file `<NAME>_FILE` (never both), or undefined when neither is set. */
function valueOrFile(env: NodeJS.ProcessEnv, name: string, problems: string[]): { text: string; from: string } | undefined {
  const inline = env[name] || undefined;
  const file = env[`${name}_FILE`] || undefined;
  if (inline && file) {
    problems.push(`${name} and ${name}_FILE are both set: give the key one way`);
    return undefined;
  }
  if (inline) return { text: inline, from: name };
  if (!file) return undefined;
  try {
    return { text: readFileSync(file, 'utf8'), from: `${name}_FILE (${file})` };
  } catch (err) {
    problems.push(`${name}_FILE=${JSON.stringify(file)} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
}

/** How partner tokens are signed, from the environment; each bad value adds one problem. */
export function readPartnerTokenSettings(env: NodeJS.ProcessEnv, nodeEnv: NodeEnv, problems: string[]): PartnerTokenSettings {
  const issuer = env.PARTNER_TOKEN_ISSUER || DEFAULT_ISSUER;
  if (issuer.length > 256 || /\s/.test(issuer)) problems.push(`PARTNER_TOKEN_ISSUER=${JSON.stringify(issuer.slice(0, 80))} must be 1 to 256 characters without spaces (a name or the gateway's URL)`);

  let key: PartnerKeySource = { kind: 'generated', path: DEV_PARTNER_KEY_PATH };
  const given = valueOrFile(env, 'PARTNER_TOKEN_SIGNING_KEY', problems);
  if (given) {
    try {
      key = { kind: 'configured', key: parseSigningKey(given.text) };
    } catch (err) {
      if (!(err instanceof PartnerKeyError)) throw err;
      problems.push(`${given.from} ${err.message}`);
    }
  } else if (nodeEnv === 'production' && !problems.some((p) => p.startsWith('PARTNER_TOKEN_SIGNING_KEY'))) {
    problems.push('PARTNER_TOKEN_SIGNING_KEY or PARTNER_TOKEN_SIGNING_KEY_FILE must be set when NODE_ENV=production (the private key partner tokens are signed with: EC P-256 or Ed25519, PEM or JWK)');
  }

  let previousKeys: PublicJwk[] = [];
  const previous = valueOrFile(env, 'PARTNER_TOKEN_PREVIOUS_KEYS', problems);
  if (previous) {
    try {
      previousKeys = parsePreviousKeys(previous.text);
    } catch (err) {
      if (!(err instanceof PartnerKeyError)) throw err;
      problems.push(`${previous.from} ${err.message}`);
    }
  }
  return { issuer, key, previousKeys };
}

export function identityForwardingFeature(opts: { internalSecret: string; ownSubgraphs: readonly string[]; partnerTokens: PartnerTokenSettings }): GatewayFeature {
  const own = new Set(opts.ownSubgraphs);
  const partnerTokens = createPartnerTokenSigner(opts.partnerTokens);
  return {
    name: 'identity-forwarding',
    async beforeSubgraphFetch({ subgraph, request, context }) {
      const headers = request.http?.headers;
      if (!headers) return;
      if (own.has(subgraph)) {
        headers.set(IDENTITY_HEADER, signIdentity(context.identity ?? null, opts.internalSecret));
        const requestId = currentRequestId();
        if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
        return;
      }
      // A partner: whatever another feature may have put there, none of our internal headers leaves.
      headers.delete(IDENTITY_HEADER);
      headers.delete(REQUEST_ID_HEADER);
      headers.set('authorization', `Bearer ${await partnerTokens.sign(context.identity ?? null, subgraph)}`);
    },
    routes: () => ({
      // Public keys only, cacheable for a few minutes: a partner refetches on an unknown `kid` anyway.
      [JWKS_PATH]: (_req, res) => {
        res.setHeader('cache-control', 'public, max-age=300');
        sendJson(res, 200, partnerTokens.jwks());
      },
    }),
  };
}
