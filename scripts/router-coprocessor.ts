/**
 * `npm run router-coprocessor -- [--port N] [--host H]` — the identity signer beside Apollo Router (a
 * sidecar): the router's `coprocessor.subgraph.all.request` stage posts each subgraph request here, and it
 * answers with that request's per-fetch identity token in its headers (`gateway/router-coprocessor.ts`). It
 * signs with the gateway's key and settings (PARTNER_TOKEN_SIGNING_KEY(_FILE), PARTNER_TOKEN_PREVIOUS_KEYS,
 * PARTNER_TOKEN_ISSUER), checks the client tokens' audience and lifetime (JWT_AUDIENCE, JWT_MAX_TTL_SECONDS)
 * that the router does not, and serves the public keys at `/.well-known/jwks.json` (GATEWAY_JWKS_URL).
 */
import { createSubgraphTokenSigner } from '../gateway/subgraph-tokens';
import { routerCoprocessor } from '../gateway/router-coprocessor';
import { listen } from '../platform/http';
import { subgraphs } from '../subgraphs';
import { exitOnStartFailure, fail, loadConfigOrExit, parseFlags } from './cli';

/** The port router.yaml's `coprocessor.url` names. */
export const DEFAULT_COPROCESSOR_PORT = 8081;
/** Room for the headers and context the router adds around a subgraph body of MAX_BODY_BYTES. */
const ENVELOPE_BYTES = 65_536;

async function main() {
  const flags = parseFlags(process.argv.slice(2), { port: 'int', host: 'string' });
  // The tree's folders are our own subgraphs (token in the identity header); any other is a partner's (bearer token).
  const config = loadConfigOrExit({}, subgraphs());
  const port = (flags.port as number | undefined) ?? DEFAULT_COPROCESSOR_PORT;
  if (port > 65535) fail('--port must be from 1 to 65535 (0 picks any free port)');
  const host = (flags.host as string | undefined) ?? config.host;
  const handler = routerCoprocessor({
    signer: createSubgraphTokenSigner(config.partnerTokens),
    ownSubgraphs: config.ownSubgraphs,
    audience: config.jwt.audience,
    maxTtlSeconds: config.jwt.maxTtlSeconds,
    maxBodyBytes: config.maxBodyBytes + ENVELOPE_BYTES,
  });
  const server = await listen(handler, port, host);
  console.log(`router coprocessor listening on http://${host}:${server.port} (SubgraphRequest stage; keys at /.well-known/jwks.json)`);
  const shutdown = async () => {
    await server.close({ drainMs: config.shutdownDrainMs });
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(exitOnStartFailure);
