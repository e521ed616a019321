/**
 * Hive Gateway (`@graphql-hive/gateway-runtime`'s `createGatewayRuntime`) on node:http, serving the bench's
 * supergraph file, for targets (b) and (c). The only glue is one plugin: the context gets the caller from
 * the bearer JWT, and every subgraph request gets the signed identity header. Logging at `error` so its
 * per-request logs do not weigh on the figures.
 *
 * The header goes into the subgraph request (`extensions.headers`, which the HTTP executor sends as headers),
 * not into the fetch (`onFetch`): the executor deduplicates identical in-flight queries by URL and body, and by
 * headers only when they are the request's own, so a header added at the fetch let two users' identical
 * `{ me { … } }` share one answer — one user's spending served to another under load.
 */
import { createServer, type RequestListener } from 'node:http';
import type { DocumentNode } from 'graphql';
import type { Identity } from '../../platform/identity';
import { IDENTITY_HEADER, identityGlue, peerSettings, stopOnSignal } from './identity-glue';

/**
 * Loaded by a name the type checker does not follow: graphql-yoga's types (under Hive's) redeclare
 * graphql's `GraphQLErrorExtensions.http` in a way Apollo's `HeaderMap` does not fit, which would break
 * the type check of our gateway for a benchmark's peer. The few calls below are checked by running them.
 */
const HIVE_RUNTIME: string = '@graphql-hive/gateway-runtime';
/** Where Hive's HTTP executor builds the body it sends (the printed, stripped document; variables only when there are some). */
const EXECUTOR_COMMON: string = '@graphql-tools/executor-common';

interface SubgraphRequest {
  context?: { identity?: Identity | null };
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string;
  extensions?: { headers?: Record<string, string> } & Record<string, unknown>;
}
interface SubgraphExecuteHook {
  subgraphName: string;
  executionRequest: SubgraphRequest;
  setExecutionRequest(request: SubgraphRequest): void;
}

export async function serveHive(name: string, unifiedGraphHandler?: unknown): Promise<void> {
  const { createGatewayRuntime } = (await import(HIVE_RUNTIME)) as { createGatewayRuntime(config: object): RequestListener & { dispose(): Promise<void> } };
  const { serializeExecutionRequest } = (await import(EXECUTOR_COMMON)) as { serializeExecutionRequest(opts: { executionRequest: SubgraphRequest }): { query?: string; variables?: unknown; operationName?: string } };
  const { port, supergraphPath } = peerSettings();
  const glue = identityGlue();
  const identityPlugin = {
    async onContextBuilding({ context, extendContext }: { context: { request: Request }; extendContext(extra: object): void }) {
      extendContext({ identity: await glue.identityOf(context.request.headers.get('authorization')) });
    },
    async onSubgraphExecute({ subgraphName, executionRequest, setExecutionRequest }: SubgraphExecuteHook) {
      // A new request: the planner shares one `extensions` object among the fetches of a client request.
      // The token is bound to the operation exactly as the HTTP executor will send it (its own serialiser).
      const operation = serializeExecutionRequest({ executionRequest });
      const headers = { ...executionRequest.extensions?.headers, [IDENTITY_HEADER]: await glue.header(executionRequest.context?.identity ?? null, subgraphName, operation) };
      setExecutionRequest({ ...executionRequest, extensions: { ...executionRequest.extensions, headers } });
    },
  };
  const gateway = createGatewayRuntime({
    supergraph: supergraphPath,
    logging: 'error',
    // Unmasked, as Apollo Gateway passes errors on: a run that fails then says why in the bench's report.
    maskedErrors: false,
    ...(unifiedGraphHandler ? { unifiedGraphHandler } : {}),
    plugins: () => [identityPlugin],
  });
  const server = createServer(gateway);
  await new Promise<void>((ok) => server.listen(port, '127.0.0.1', ok));
  console.log(`${name} http://127.0.0.1:${port}/graphql`);
  stopOnSignal(async () => {
    server.close();
    await gateway.dispose();
  });
}
