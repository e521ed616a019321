/**
 * Feature: identity forwarding. Every subgraph fetch carries the caller's identity, HMAC-signed with the
 * secret only the gateway and the subgraphs share (`platform/identity.ts`), and the request id the
 * subgraph logs under. Only the gateway's signature counts: `set` replaces any copy of the header,
 * and the gateway never passes a client's headers on. An anonymous caller is signed too: a subgraph
 * refuses every request the gateway did not sign.
 */
import { IDENTITY_HEADER, signIdentity } from '../../platform/identity';
import { currentRequestId, REQUEST_ID_HEADER } from '../../platform/logger';
import type { GatewayFeature } from '../feature';

export function identityForwardingFeature(opts: { internalSecret: string }): GatewayFeature {
  return {
    name: 'identity-forwarding',
    beforeSubgraphFetch({ request, context }) {
      request.http?.headers.set(IDENTITY_HEADER, signIdentity(context.identity ?? null, opts.internalSecret));
      const requestId = currentRequestId();
      if (requestId) request.http?.headers.set(REQUEST_ID_HEADER, requestId);
    },
  };
}
