/**
 * The registry's HTTP API (JSON; README "Schema registry"): the routes, who may call them, and how each
 * outcome is answered. Every `/v1` route needs a credential its access admits (`access.ts`: admin tokens,
 * registry keys, grants; the key and grant routes are `credential-routes.ts`; answers are shaped in
 * `answers.ts`; trusted documents are `document-routes.ts`); `GET /health` needs none.
 * `GET /v1/supergraph` carries the supergraph id as its ETag (304 for a matching If-None-Match), and
 * `GET /v1/supergraph/events` streams each new id (`supergraph-events.ts`). Errors are
 * `{ "error": { "code", "message", "field"? } }`; a refused publish also carries its composition errors
 * or breaking changes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db, Queryable } from '../platform/db';
import { sendJson } from '../platform/http';
import { logger } from '../platform/logger';
import type { Caller, RegistryAccess, RouteAccess } from './access';
import { checkBody, matchesEtag, ok, publishAnswer, removeAnswer, rollbackAnswer, versionParam, withSdlParam } from './answers';
import type { Candidate } from './check';
import { credentialRoutes } from './credential-routes';
import { documentRoutes } from './document-routes';
import type { DerivedSubgraph } from './derive';
import { check, publish, remove, rollback } from './publish';
import { batchPublishRequest, checkRequest, publishRequest, readJsonObject, RegistryError, removeRequest, rollbackRequest, subgraphName, usageDaysOf } from './requests';
import { currentSupergraph, currentVersions, historyOf, versionOf } from './store';
import type { SupergraphEvents } from './supergraph-events';
import { recordUsageRequest } from './usage';

export interface ApiOptions {
  db: Db;
  access: RegistryAccess;
  maxBodyBytes: number;
  /** Subgraphs the registry derives from the others on every change (`derive.ts`). */
  derived?: readonly DerivedSubgraph[];
  /** The change stream `GET /v1/supergraph/events` serves. */
  events: SupergraphEvents;
  /** The usage window checks weigh breaking changes against, unless a check says (REGISTRY_USAGE_DAYS). */
  usageDays: number;
}

interface Call {
  req: IncomingMessage;
  query: URLSearchParams;
  /** For a route that answers itself (a stream): its handler then returns null. */
  res: ServerResponse;
  params: string[];
  /** Who is calling (admitted for the route's access). */
  caller: Caller;
  /** What the change records as its publisher: the caller's principal. */
  publisher: string;
}

type Answer = { status: number; body: unknown; headers?: Record<string, string> };
type Handler = (call: Call) => Promise<Answer | null>;

/**
 * A route. A `subgraph` route's name is its first path parameter, and a partner's grant of it is checked
 * before the handler runs; a `subgraph` route without a name in its path (the batch publish) must call
 * `access.requireGranted` with its names before it reads or changes anything. A route that takes SDL
 * (check, publish, batch publish) calls `access.requireOwnOverrides` with its candidates before it runs
 * them; a rollback with the version it republishes (which an admin may have published).
 */
interface RouteSpec {
  method: 'GET' | 'POST';
  path: RegExp;
  /** Who may call it; a function when a query parameter changes what the route reveals. */
  access: RouteAccess | ((query: URLSearchParams) => RouteAccess);
  /** It takes (or republishes) SDL and calls `access.requireOwnOverrides`, which records a partner's use once allowed. */
  takesSdl?: true;
  handler: Handler;
}

const NAME = '([^/]+)';

function routes(opts: ApiOptions): RouteSpec[] {
  const { db } = opts;
  const derived = opts.derived ?? [];
  return [
    {
      method: 'GET',
      path: /^\/v1\/subgraphs$/,
      // With their SDL it is what a peer-following subgraph reads (the spending merger regenerates from it).
      // Without, a partner sees the names granted to its organisation; admins and gateways see every name.
      access: (query) => (query.get('sdl') === 'true' ? 'gateway' : 'read'),
      handler: async ({ query, caller }) => {
        const withSdl = withSdlParam(query);
        const visible = await opts.access.visibleNames(caller);
        const subgraphs = (await currentVersions(db)).filter((v) => visible === null || visible.has(v.name));
        return ok({ subgraphs: subgraphs.map(({ sdl, ...v }) => (withSdl ? { ...v, sdl } : v)) });
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/subgraphs/${NAME}/versions$`),
      access: 'subgraph',
      handler: async ({ params }) => {
        const name = subgraphName(params[0]);
        const versions = await historyOf(db, name);
        if (versions.length === 0) throw new RegistryError(404, 'NOT_FOUND', `no subgraph ${name} was ever published`);
        return ok({ name, versions });
      },
    },
    {
      method: 'GET',
      path: new RegExp(`^/v1/subgraphs/${NAME}/versions/([^/]+)$`),
      access: 'subgraph',
      handler: async ({ params }) => {
        const name = subgraphName(params[0]);
        const version = versionParam(params[1]);
        const found = await versionOf(db, name, version);
        if (!found) throw new RegistryError(404, 'NOT_FOUND', version === 'latest' ? `no subgraph ${name} was ever published` : `subgraph ${name} has no version ${version}`);
        return ok(found);
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/supergraph$/,
      access: 'gateway',
      handler: async ({ req }): Promise<Answer> => {
        const current = await currentSupergraph(db);
        if (!current) throw new RegistryError(404, 'NOT_FOUND', 'nothing has been published yet: there is no supergraph');
        // The id is the SDL's hash: a strong entity tag, so a poller that has it gets 304 and no SDL.
        const etag = `"${current.id}"`;
        if (matchesEtag(req.headers['if-none-match'], etag)) return { status: 304, body: null, headers: { etag } };
        return { ...ok(current), headers: { etag, 'cache-control': 'no-cache' } };
      },
    },
    {
      method: 'GET',
      path: /^\/v1\/supergraph\/events$/,
      access: 'gateway',
      handler: async ({ req, res }) => {
        await opts.events.serve(req, res);
        return null;
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/subgraphs/${NAME}/check$`),
      access: 'subgraph',
      takesSdl: true,
      handler: async ({ req, params, caller }) => {
        const name = subgraphName(params[0]);
        const body = await readJsonObject(req, opts.maxBodyBytes);
        const currentUrl = (await currentVersions(db)).find((v) => v.name === name)?.routingUrl;
        const candidate = checkRequest(name, body, currentUrl);
        await opts.access.requireOwnOverrides(caller, [candidate]);
        return ok(checkBody(await check(db, [candidate], { derived, usageDays: usageDaysOf(body, opts.usageDays) })));
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/subgraphs/${NAME}/publish$`),
      access: 'subgraph',
      takesSdl: true,
      handler: async ({ req, params, caller, publisher }) => {
        const name = subgraphName(params[0]);
        const body = await readJsonObject(req, opts.maxBodyBytes);
        const { candidates, allowBreaking } = publishRequest(name, body);
        await opts.access.requireOwnOverrides(caller, candidates);
        return publishAnswer(await publish(db, candidates, { publisher, allowBreaking, derived, usageDays: usageDaysOf(body, opts.usageDays) }));
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/subgraphs/${NAME}/remove$`),
      access: 'subgraph',
      handler: async ({ req, params, publisher }) => {
        const name = subgraphName(params[0]);
        const { allowBreaking } = removeRequest(await readJsonObject(req, opts.maxBodyBytes));
        return removeAnswer(name, await remove(db, name, { publisher, allowBreaking, derived, usageDays: opts.usageDays }));
      },
    },
    {
      method: 'POST',
      path: new RegExp(`^/v1/subgraphs/${NAME}/rollback$`),
      access: 'subgraph',
      takesSdl: true,
      handler: async ({ req, params, caller, publisher }) => {
        const name = subgraphName(params[0]);
        const { to, allowBreaking } = rollbackRequest(await readJsonObject(req, opts.maxBodyBytes));
        const vet = (restoring: Candidate, q: Queryable) => opts.access.requireOwnOverrides(caller, [restoring], q);
        return rollbackAnswer(await rollback(db, name, to, { publisher, allowBreaking, derived, usageDays: opts.usageDays, vet }));
      },
    },
    {
      method: 'POST',
      path: /^\/v1\/publish$/,
      access: 'subgraph',
      takesSdl: true,
      handler: async ({ req, caller, publisher }) => {
        const { candidates, allowBreaking } = batchPublishRequest(await readJsonObject(req, opts.maxBodyBytes));
        await opts.access.requireGranted(caller, candidates.map((c) => c.name), { thenOverrides: true });
        await opts.access.requireOwnOverrides(caller, candidates);
        return publishAnswer(await publish(db, candidates, { publisher, allowBreaking, derived, usageDays: opts.usageDays }));
      },
    },
    ...credentialRoutes(db, opts.maxBodyBytes, derived),
    ...documentRoutes(db, opts.access, opts.maxBodyBytes),
    {
      method: 'POST',
      path: /^\/v1\/usage$/,
      access: 'gateway',
      handler: async ({ req }) => ok(await recordUsageRequest(db, await readJsonObject(req, opts.maxBodyBytes))),
    },
  ];
}

function decodePart(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new RegistryError(400, 'BAD_REQUEST', `the path part ${JSON.stringify(raw.slice(0, 60))} is not valid percent-encoding`);
  }
}

/** The request handler: `/health`, then the `/v1` routes, each behind its access check. */
export function registryHandler(opts: ApiOptions) {
  const table = routes(opts);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const path = url.pathname;
      if (path === '/health' && req.method === 'GET') {
        const up = await opts.db.query('SELECT 1').then(() => true, () => false);
        return sendJson(res, up ? 200 : 503, { status: up ? 'ok' : 'the registry database does not answer' });
      }
      const matching = table.filter((r) => r.path.test(path));
      if (matching.length === 0) throw new RegistryError(404, 'NOT_FOUND', `no route ${req.method} ${path} (see the README's registry API)`);
      const route = matching.find((r) => r.method === req.method);
      if (!route) throw new RegistryError(405, 'METHOD_NOT_ALLOWED', `${path} takes ${matching.map((r) => r.method).join(', ')}, not ${req.method}`, undefined, { allow: matching.map((r) => r.method).join(', ') });
      const access = typeof route.access === 'function' ? route.access(url.searchParams) : route.access;
      const caller = await opts.access.admit(req.headers.authorization, access, `${req.method} ${path}`);
      const params = route.path.exec(path)!.slice(1).map(decodePart);
      if (access === 'subgraph' && params.length > 0) await opts.access.requireGranted(caller, [subgraphName(params[0])], { thenOverrides: route.takesSdl });
      const answer = await route.handler({ req, res, query: url.searchParams, params, caller, publisher: caller.principal });
      if (answer === null) return;
      for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
      if (answer.status === 304) {
        res.writeHead(304);
        res.end();
        return;
      }
      sendJson(res, answer.status, answer.body);
    } catch (err) {
      if (err instanceof RegistryError) {
        for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
        return sendJson(res, err.status, { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
      }
      logger.error({ service: 'registry', err }, 'registry request failed');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'INTERNAL_SERVER_ERROR', message: 'internal error (logged)' } });
    }
  };
}
