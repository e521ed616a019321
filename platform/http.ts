/**
 * The HTTP front of every server in the product (gateway, subgraphs; the registry reads bodies with `readBody`): plain `node:http` around
 * Apollo Server's `executeHTTPGraphQLRequest`, with a body-size limit, clear JSON errors for
 * malformed requests, and extra routes such as `/health`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { logger, REQUEST_ID_HEADER, requestIdFrom, runWithRequestId } from './logger';
import { inServerSpan } from './tracing';

export type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /**
   * Builds the per-request context from the request and its body as parsed (undefined for a GET); throw a
   * GraphQLError to refuse the request.
   */
  context: (req: IncomingMessage, body: unknown) => Promise<TContext>;
  /**
   * Extra routes by exact path: `/health` answers GET; `POST /path` a POST. A path ending in `/*` (`/app/*`)
   * answers GET for every path under it that no exact route has; the longest such prefix wins.
   */
  routes?: Record<string, Route>;
  /** What a browser gets when it opens the GraphQL URL itself: a `GET` asking for HTML, with no query. */
  landingPage?: Route;
  /** Largest accepted request body in bytes. */
  maxBodyBytes: number;
  /** Names the server in its spans (`gateway`, the subgraph's name). */
  service?: string;
  /**
   * Answers a JSON POST before Apollo runs (a whole cached answer), given its body and its context (built
   * here first, so a context that refuses — a bad token, a spent rate limit — is answered by Apollo as
   * always). Undefined: Apollo serves it.
   */
  earlyAnswer?: (req: IncomingMessage, body: EarlyBody, context: TContext) => Promise<{ status: number; headers: Record<string, string>; body: string } | undefined>;
}

/** A single GraphQL request as a JSON POST carries it. */
export interface EarlyBody {
  query?: string;
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

/**
 * Whether a request may be answered early: a JSON POST exactly (what Apollo's CSRF prevention lets through
 * without a preflight header, and nothing a browser sends cross-site unasked), asking for plain JSON (a
 * client preferring `application/graphql-response+json` gets Apollo's own negotiation), whose body is
 * one GraphQL request (not a batch, not a string).
 */
function earlyBody(req: IncomingMessage, body: unknown): body is EarlyBody {
  if (String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() !== 'application/json') return false;
  const accept = req.headers.accept;
  if (accept !== undefined && (!/application\/json|\*\/\*/.test(accept) || /graphql-response\+json/.test(accept))) return false;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  const object = (v: unknown) => v === undefined || (v !== null && typeof v === 'object' && !Array.isArray(v));
  return (b.query === undefined || typeof b.query === 'string') && (b.operationName === undefined || typeof b.operationName === 'string') && object(b.variables) && object(b.extensions);
}

/** Writes a GraphQL-shaped error response. */
export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** A request body over the server's limit (answer 413). */
export class BodyTooLarge extends Error {}

/** The request body as text, refused with BodyTooLarge past `limit` bytes (declared or streamed). */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The GET route of the longest `/prefix/*` key that `pathname` is under, if any. */
function prefixRoute(routes: Record<string, Route>, pathname: string): Route | undefined {
  let best: string | undefined;
  for (const key of Object.keys(routes)) {
    if (!key.endsWith('/*') || key.includes(' ')) continue;
    const prefix = key.slice(0, -1);
    if (pathname.startsWith(prefix) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : routes[best];
}

/**
 * Builds the request handler for a GraphQL server. Every request gets an id (the caller's plain
 * `x-request-id`, else a new one): everything logged while serving it carries the id, the gateway
 * sends it on to each subgraph fetch, and the response echoes it in `x-request-id`.
 */
export function graphqlHandler<TContext extends BaseContext>(opts: GraphQLHttpOptions<TContext>) {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = opts.routes?.[`${req.method} ${url.pathname}`] ?? (req.method === 'GET' ? opts.routes?.[url.pathname] ?? (opts.routes && prefixRoute(opts.routes, url.pathname)) : undefined);
      if (route) return await route(req, res);
      if (url.pathname !== '/graphql' && url.pathname !== '/') return sendError(res, 404, 'NOT_FOUND', `no route ${url.pathname}; the graph is at /graphql`);
      if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'HEAD') {
        res.setHeader('allow', 'GET, POST');
        return sendError(res, 405, 'METHOD_NOT_ALLOWED', 'use POST (or GET for queries)');
      }
      if (opts.landingPage && req.method === 'GET' && !url.searchParams.has('query') && /\btext\/html\b/.test(req.headers.accept ?? '')) {
        return await opts.landingPage(req, res);
      }

      let body: unknown;
      if (req.method === 'POST') {
        let text: string;
        try {
          text = await readBody(req, opts.maxBodyBytes);
        } catch (err) {
          if (err instanceof BodyTooLarge) return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${opts.maxBodyBytes} bytes`);
          throw err;
        }
        const type = String(req.headers['content-type'] ?? '');
        if (type.includes('application/json')) {
          try {
            body = text.length ? JSON.parse(text) : {};
          } catch {
            return sendError(res, 400, 'BAD_REQUEST', 'request body is not valid JSON');
          }
        } else {
          body = text;
        }
      }

      // The span continues the caller's trace (the gateway's fetch, or a client's traceparent) and is the
      // parent of everything this request does: subgraph fetches, service calls, SQL statements.
      await inServerSpan(`${opts.service ?? 'graphql'} ${req.method}`, req.headers, { 'autograph.service': opts.service ?? 'graphql', 'http.request.method': req.method! }, async (span) => {
        // Built before Apollo runs only when something may answer early; Apollo still reports its failure.
        let context: () => Promise<TContext> = () => opts.context(req, body);
        if (opts.earlyAnswer && req.method === 'POST' && earlyBody(req, body)) {
          const built = opts.context(req, body);
          const value = await built.catch(() => undefined);
          context = () => built;
          const early = value && (await opts.earlyAnswer(req, body, value));
          if (early) {
            span.setAttributes({ 'http.response.status_code': early.status, 'autograph.answered_early': true });
            res.writeHead(early.status, early.headers);
            return void res.end(early.body);
          }
        }
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const result = await opts.apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method!.toUpperCase(), headers, search: url.search, body },
          context,
        });
        for (const [key, value] of result.headers) res.setHeader(key, value);
        res.statusCode = result.status ?? 200;
        span.setAttribute('http.response.status_code', res.statusCode);
        if (result.body.kind === 'complete') {
          res.end(result.body.string);
        } else {
          for await (const chunk of result.body.asyncIterator) res.write(chunk);
          res.end();
        }
      });
    } catch (err) {
      sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'internal error');
      logger.error({ err }, 'request failed outside GraphQL execution');
    }
  };
  return (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    return runWithRequestId(requestId, () => handle(req, res));
  };
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  /**
   * Stops accepting connections. By default every connection is cut at once (tests, Ctrl-C); with
   * `drainMs` the requests in flight are let finish for up to that long (a deploy's SIGTERM), keep-alive
   * connections being closed as they fall idle.
   */
  close(opts?: { drainMs?: number }): Promise<void>;
}

/** Starts listening on `host:port` (port 0 picks a free one). */
export function listen(handler: Route, port: number, host = '127.0.0.1'): Promise<Listening> {
  let inFlight = 0;
  let closing = false;
  const server = createServer((req, res) => {
    inFlight++;
    res.once('close', () => {
      inFlight--;
      // A keep-alive connection whose request just finished would hold the close open: it goes now.
      if (closing) server.closeIdleConnections();
    });
    void handler(req, res);
  });
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: actual,
        url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${actual}/graphql`,
        close: ({ drainMs = 0 } = {}) =>
          new Promise<void>((done) => {
            closing = true;
            server.close(() => {
              clearTimeout(deadline);
              done();
            });
            server.closeIdleConnections();
            const deadline = setTimeout(() => server.closeAllConnections(), inFlight === 0 ? 0 : drainMs);
          }),
      });
    });
  });
}
