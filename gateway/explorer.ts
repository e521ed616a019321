/**
 * The explorer: GraphiQL served by the gateway itself from the project's npm packages (GraphiQL's
 * browser build, React and ReactDOM 18's UMD builds), so it works on a machine without internet: no
 * CDN, no web fonts (GraphiQL's stylesheet inlines its own), no telemetry. The page's Content-Security-
 * Policy lets it reach only the gateway. The headline question is prefilled; in development with the
 * built-in development secret only (the config's `demoTokens`), the
 * page asks `/explorer/demo-token` for a demo-driver token and puts it in the Headers tab.
 *
 * Off (a plain page saying where the graph is) unless enabled: by default only in development.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Route } from '../platform/http';
import { sendJson } from '../platform/http';
import { DEMO_USER, DEMO_USER_ID, demoUserIds } from '../platform/demo';
import { mintToken, type JwtSettings } from './auth';
import { HEADLINE_QUERY } from './headline-query';


export const EXPLORER_PATH = '/explorer';
/** How long the explorer's demo token lasts; reloading the page fetches a new one. */
const DEMO_TOKEN_TTL_SECONDS = 3600;
/** How many seeded users the demo-token route lists (the web app's sign-in offers them); `npm start` seeds 200. */
const LISTED_DEMO_USERS = 10;

export interface ExplorerOptions {
  enabled: boolean;
  /** Hand out demo-driver tokens: only development with the built-in secret (the config's `demoTokens`). */
  demoTokens: boolean;
  jwt: JwtSettings;
  /** Where the page sends its operations. */
  graphqlPath?: string;
}

export interface Explorer {
  /** What a browser gets when it opens the graph's URL itself. */
  landingPage: Route;
  /** Exact GET routes: the page, its static files and (development) the demo token. */
  routes: Record<string, Route>;
}

// Everything the page needs comes from this gateway; inline styles are React's and GraphiQL's own.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function send(res: ServerResponse, type: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

/** A file of an installed npm package (located through its package.json, which every package exports). */
function packageFile(pkg: string, file: string): Buffer {
  return readFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file));
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function pageHtml(title: string): string {
  const asset = (name: string) => `${EXPLORER_PATH}/${name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset('graphiql.css')}">
<style>html, body, #explorer { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="explorer">Loading the explorer…</div>
<script src="${asset('react.js')}"></script>
<script src="${asset('react-dom.js')}"></script>
<script src="${asset('graphiql.js')}"></script>
<script src="${asset('explorer.js')}"></script>
</body>
</html>
`;
}

/** The page's own script: fetch the demo token when offered, then render GraphiQL. */
function pageScript(config: { endpoint: string; query: string; variables: string; demoTokenUrl: string | null; title: string }): string {
  return `'use strict';
(function () {
  var CONFIG = ${JSON.stringify(config)};
  function demoHeaders() {
    if (!CONFIG.demoTokenUrl) return Promise.resolve('');
    return fetch(CONFIG.demoTokenUrl)
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (body) { return body ? JSON.stringify({ authorization: 'Bearer ' + body.token }, null, 2) : ''; })
      .catch(function () { return ''; });
  }
  demoHeaders().then(function (headers) {
    var h = React.createElement;
    ReactDOM.createRoot(document.getElementById('explorer')).render(
      h(GraphiQL, {
        fetcher: GraphiQL.createFetcher({ url: CONFIG.endpoint }),
        defaultQuery: CONFIG.query,
        defaultVariables: CONFIG.variables,
        defaultHeaders: headers,
        // The demo token is fetched fresh on every load; never keep tokens in the browser's storage.
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: headers ? 'headers' : false,
      }, h(GraphiQL.Logo, null, headers ? CONFIG.title + ' (as ${DEMO_USER})' : CONFIG.title))
    );
  });
})();
`;
}

/** The page production shows instead: where the graph is, and no scripts at all. */
function plainPage(graphqlPath: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Autograph GraphQL</title></head>
<body>
<h1>Autograph GraphQL</h1>
<p>This is a GraphQL endpoint: send operations with <code>POST ${escapeHtml(graphqlPath)}</code>
(<code>content-type: application/json</code>, <code>authorization: Bearer &lt;token&gt;</code>).</p>
<p>The explorer is not served here.</p>
</body></html>
`;
}

export function createExplorer(opts: ExplorerOptions): Explorer {
  const graphqlPath = opts.graphqlPath ?? '/graphql';
  if (!opts.enabled) {
    const html = plainPage(graphqlPath);
    return { landingPage: (_req, res) => send(res, 'text/html; charset=utf-8', html, { 'content-security-policy': "default-src 'none'" }), routes: {} };
  }

  const jwt = opts.jwt;
  const demoToken = opts.demoTokens && jwt.secret ? (sub: string) => mintToken({ ...jwt, secret: jwt.secret! }, { sub, role: 'customer' }, DEMO_TOKEN_TTL_SECONDS) : null;
  const title = 'Autograph explorer';
  const html = pageHtml(title);
  const script = pageScript({
    endpoint: graphqlPath,
    query: HEADLINE_QUERY,
    variables: JSON.stringify({ first: 5 }, null, 2),
    demoTokenUrl: demoToken ? `${EXPLORER_PATH}/demo-token` : null,
    title,
  });
  // Read once at start-up: a missing package fails here, not on a user's first page load.
  const js = 'text/javascript; charset=utf-8';
  const files: Record<string, [string, Buffer]> = {
    'react.js': [js, packageFile('react', 'umd/react.production.min.js')],
    'react-dom.js': [js, packageFile('react-dom', 'umd/react-dom.production.min.js')],
    'graphiql.js': [js, packageFile('graphiql', 'graphiql.min.js')],
    'graphiql.css': ['text/css; charset=utf-8', packageFile('graphiql', 'graphiql.min.css')],
  };

  const page: Route = (_req, res) => send(res, 'text/html; charset=utf-8', html, { 'content-security-policy': CSP });
  const routes: Record<string, Route> = {
    [EXPLORER_PATH]: page,
    [`${EXPLORER_PATH}/`]: page,
    [`${EXPLORER_PATH}/explorer.js`]: (_req, res) => send(res, js, script),
  };
  for (const [name, [type, body]] of Object.entries(files)) routes[`${EXPLORER_PATH}/${name}`] = (_req, res) => send(res, type, body);
  if (demoToken) {
    // `?sub=` another seeded user (the web app's sign-in); a customer token only, for a seeded user's id only.
    routes[`${EXPLORER_PATH}/demo-token`] = async (req, res) => {
      // Same-origin only: no CORS header, so another site open in the browser cannot read it.
      res.setHeader('cache-control', 'no-store');
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const sub = query.get('sub') ?? DEMO_USER;
      const role = query.get('role') ?? 'customer';
      if (role !== 'customer') return sendJson(res, 403, { error: `demo tokens are customer tokens only; role ${JSON.stringify(role)} is not handed out (mint others with npm run token)` });
      if (!DEMO_USER_ID.test(sub)) return sendJson(res, 403, { error: `demo tokens are for seeded demo users only (${DEMO_USER} or user-000001 …); ${JSON.stringify(sub)} is not one` });
      const unknown = [...query.keys()].filter((k) => k !== 'sub' && k !== 'role');
      if (unknown.length) return sendJson(res, 400, { error: `unknown parameter ${unknown.map((k) => JSON.stringify(k)).join(', ')} (only sub and role)` });
      sendJson(res, 200, { sub, role: 'customer', expiresInSeconds: DEMO_TOKEN_TTL_SECONDS, token: await demoToken(sub), demoUsers: demoUserIds(LISTED_DEMO_USERS) });
    };
  }
  return { landingPage: page, routes };
}
