/**
 * The insurer's HTTP server: `POST /graphql` (the subgraph, for the graph's gateway only) and
 * `GET /health`. Written on `node:http` with Apollo's `executeHTTPGraphQLRequest` rather than Apollo's
 * standalone server because the token must be checked — and a bad one answered 401 with a
 * `WWW-Authenticate` challenge — before GraphQL sees the request, and the health route sits beside it.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { InsurerDb } from './db';
import { KeysUnavailable, Unauthenticated, type GatewayTokenVerifier } from './identity';
import { createLoaders, resolvers, type InsurerContext } from './resolvers';

/** Largest request body accepted (413 beyond): the gateway's largest entity batches are far smaller. */
const MAX_BODY_BYTES = 1_000_000;

export const SCHEMA_PATH = join(__dirname, '..', 'schema.graphql');

export interface RunningInsurer {
  url: string;
  stop(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const graphqlError = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    // Past the limit the rest is read and dropped (not kept), so the client still gets its 413 answer.
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startInsurer(opts: { db: InsurerDb; verify: GatewayTokenVerifier; port: number; host?: string }): Promise<RunningInsurer> {
  const apollo = new ApolloServer<InsurerContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(readFileSync(SCHEMA_PATH, 'utf8')), resolvers: resolvers as never }),
    csrfPrevention: true,
    stopOnTerminationSignals: false,
    // No inline traces for the gateway (nothing here reads them) and no landing page (it loads from a CDN).
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://insurer');
    if (req.method === 'GET' && url.pathname === '/health') {
      try {
        await opts.db.query('SELECT 1');
        return sendJson(res, 200, { status: 'ok', subgraph: 'insurer' });
      } catch {
        return sendJson(res, 503, { status: 'database unavailable', subgraph: 'insurer' });
      }
    }
    if (url.pathname !== '/graphql') return sendJson(res, 404, graphqlError('not found: the subgraph is at /graphql', 'NOT_FOUND'));
    if (req.method !== 'POST') return sendJson(res, 405, graphqlError('send the operation with POST', 'METHOD_NOT_ALLOWED'), { allow: 'POST' });

    // Who is calling comes first: nothing of the request is looked at for a caller the gateway did not sign.
    let caller: InsurerContext['caller'];
    try {
      caller = await opts.verify(req.headers.authorization);
    } catch (err) {
      if (err instanceof Unauthenticated) {
        const description = err.message.replace(/["\\]/g, "'");
        return sendJson(res, 401, graphqlError(err.message, 'UNAUTHENTICATED'), { 'www-authenticate': `Bearer realm="insurer", error="invalid_token", error_description="${description}"` });
      }
      if (err instanceof KeysUnavailable) return sendJson(res, 503, graphqlError(err.message, 'SERVICE_UNAVAILABLE'), { 'retry-after': '5' });
      throw err;
    }

    const raw = await readBody(req);
    if (raw === null) return sendJson(res, 413, graphqlError(`the request body is larger than ${MAX_BODY_BYTES} bytes`, 'PAYLOAD_TOO_LARGE'));
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      return sendJson(res, 400, graphqlError('the request body is not JSON', 'BAD_REQUEST'));
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: url.search, body },
      context: async () => ({ caller, loaders: createLoaders(opts.db) }),
    });
    const out: Record<string, string> = {};
    for (const [name, value] of result.headers) out[name] = value;
    res.writeHead(result.status ?? 200, out);
    if (result.body.kind === 'complete') res.end(result.body.string);
    else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      console.error('insurer: request failed', err);
      if (!res.headersSent) sendJson(res, 500, graphqlError('internal error', 'INTERNAL_SERVER_ERROR'));
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}
