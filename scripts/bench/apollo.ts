/**
 * Bench target (a): bare Apollo Gateway 2 + Apollo Server 5 with `startStandaloneServer` (Apollo's own
 * node:http front, not our platform/http), serving the bench's supergraph file with Apollo's defaults
 * (its default fetcher, query planner and caches). The only glue: the context verifies the bearer JWT, and
 * each subgraph request gets the signed identity header.
 */
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import type { Identity } from '../../platform/identity';
import { IDENTITY_HEADER, identityGlue, peerSettings, stopOnSignal } from './identity-glue';

interface Context {
  identity: Identity | null;
}

async function main() {
  const { port, supergraphPath } = peerSettings();
  const glue = identityGlue();
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(supergraphPath, 'utf8'),
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<Context>({
        url,
        async willSendRequest({ request, context }) {
          request.http?.headers.set(IDENTITY_HEADER, await glue.header(context.identity ?? null, name, request));
        },
      }),
  });
  const server = new ApolloServer<Context>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: async ({ req }) => ({ identity: await glue.identityOf(req.headers.authorization) }),
  });
  console.log(`apollo ${url.replace(/\/$/, '')}/graphql`);
  stopOnSignal(() => server.stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
