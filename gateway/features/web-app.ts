/**
 * Feature: the owner's web app (`web/`, built by `npm run web:build`) served at /app from its built folder
 * (WEB_APP_DIR, default web/dist), and its persisted-query manifest safelisted as client `web`'s trusted
 * documents. Hashed assets (`/app/assets/*`, Vite names them by content) are cached for a year as
 * immutable; index.html and everything else is `no-cache`, so a new build is picked up on the next load.
 * A path with no file extension is one of the app's routes and gets index.html (the app routes itself);
 * a missing file is a plain-text 404. Nothing outside the folder is ever read: the decoded path is
 * resolved and must stay inside it (dot segments, encoded slashes and NUL bytes are refused).
 * When the folder has no index.html, /app answers a page saying how to build it.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { url as urlSetting } from '../../platform/env';
import type { Route } from '../../platform/http';
import type { GatewayFeature } from '../feature';
import type { TrustedDocumentsSettings } from './trusted-documents';

export const WEB_APP_PATH = '/app';
/** The client name the app's requests carry (`apollographql-client-name`), whose documents are its manifest. */
export const WEB_CLIENT_NAME = 'web';
/** Written by `npm run web:build` beside index.html. */
export const WEB_MANIFEST_FILE = 'persisted-query-manifest.json';
const DEFAULT_DIR = 'web/dist';

export interface WebAppSettings {
  /** WEB_APP_DIR, absolute. */
  dir: string;
  /** WEB_SIGN_IN_URL: the identity provider's sign-in page the app sends a person to (unset: demo sign-in only). */
  signInUrl?: string;
}

/**
 * Reads WEB_APP_DIR and WEB_SIGN_IN_URL. A folder named explicitly must hold a built app; the default one
 * may be missing (then /app says how to build it) so the graph starts without it.
 */
export function readWebAppSettings(env: NodeJS.ProcessEnv, problems: string[]): WebAppSettings {
  const dir = resolve(env.WEB_APP_DIR || DEFAULT_DIR);
  if (env.WEB_APP_DIR && !existsSync(join(dir, 'index.html'))) {
    problems.push(`WEB_APP_DIR=${JSON.stringify(env.WEB_APP_DIR)} has no index.html: build the app there (npm run web:build writes web/dist) or unset it`);
  }
  return { dir, signInUrl: urlSetting(env, 'WEB_SIGN_IN_URL', ['https:', 'http:'], problems) };
}

/**
 * The trusted-documents settings with the built app's manifest as client `web`'s safelist, unless the
 * configuration already names a manifest for `web` (or turned the feature off). Read at start-up like
 * any manifest file, so a broken one stops the gateway naming its problem.
 */
export function withWebAppDocuments(trusted: TrustedDocumentsSettings, web: WebAppSettings): TrustedDocumentsSettings {
  const path = join(web.dir, WEB_MANIFEST_FILE);
  if (trusted.mode === 'off' || trusted.files.some((f) => f.client === WEB_CLIENT_NAME) || !existsSync(path)) return trusted;
  return { ...trusted, files: [...trusted.files, { client: WEB_CLIENT_NAME, path }], safelistClients: [...new Set([...trusted.safelistClients, WEB_CLIENT_NAME])] };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

// Everything the app needs comes from this gateway; style attributes are recharts' and React's own.
const CSP = ["default-src 'self'", "script-src 'self'", "style-src 'self' 'unsafe-inline'", "img-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"].join('; ');
const IMMUTABLE = 'public, max-age=31536000, immutable';

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  res.end(text);
}

const notBuiltPage = (dir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Autograph: the web app is not built</title></head>
<body>
<h1>The web app is not built</h1>
<p>The gateway serves the app from <code>${dir.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</code>, which has no <code>index.html</code>.
Run <code>npm run web:build</code> (or restart <code>npm start</code>, which builds it when it is missing or older than its sources), then reload.</p>
</body></html>
`;

/**
 * The file under `root` a request path names, or null when it names nothing that may be served: a
 * dot segment, a backslash or NUL, an undecodable escape, or a path that leaves `root` (a symlink too).
 */
export function fileUnder(root: string, requestPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return null;
  const path = resolve(root, ...segments);
  if (path !== root && !path.startsWith(root + sep)) return null;
  try {
    const real = realpathSync(path);
    if (real !== root && !real.startsWith(root + sep)) return null;
  } catch {
    // Missing: the caller answers 404 (or index.html for a route).
  }
  return path;
}

/** The compressed copy of `file` to send for an `Accept-Encoding` (br first, then gzip), or null for the file itself. */
function compressedCopy(file: string, acceptEncoding: string | string[] | undefined): { encoding: string; path: string } | null {
  const accepted = new Map<string, number>();
  for (const part of String(acceptEncoding ?? '').toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
    if (name) accepted.set(name, q ? Number(q[1]) : 1);
  }
  for (const { encoding, suffix } of [{ encoding: 'br', suffix: '.br' }, { encoding: 'gzip', suffix: '.gz' }]) {
    if ((accepted.get(encoding) ?? accepted.get('*') ?? 0) > 0 && existsSync(file + suffix)) return { encoding, path: file + suffix };
  }
  return null;
}

export function webAppFeature(opts: { settings: WebAppSettings; demoSignIn: boolean; graphqlPath?: string }): GatewayFeature {
  const root = existsSync(opts.settings.dir) ? realpathSync(opts.settings.dir) : opts.settings.dir;
  const indexPath = join(root, 'index.html');
  const config = JSON.stringify({ graphqlPath: opts.graphqlPath ?? '/graphql', clientName: WEB_CLIENT_NAME, demoSignIn: opts.demoSignIn, signInUrl: opts.settings.signInUrl ?? null });

  const sendIndex = (res: ServerResponse): void => {
    // Read on every request: a rebuild (npm run web:build while the graph runs) is served at once.
    if (!existsSync(indexPath)) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-security-policy': "default-src 'none'" });
      res.end(notBuiltPage(root));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'content-security-policy': CSP, 'referrer-policy': 'no-referrer' });
    res.end(readFileSync(indexPath));
  };

  const serve: Route = (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const rest = pathname.slice(WEB_APP_PATH.length + 1);
    if (rest === '' || rest === 'index.html') return sendIndex(res);
    const file = fileUnder(root, rest);
    if (file === null) return plain(res, 404, `not found: ${pathname}`);
    const ext = extname(file);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) {
      // No extension: one of the app's own routes (/app/spending, /app/paid/Order/…), which it renders itself.
      if (ext === '') return sendIndex(res);
      return plain(res, 404, `not found: ${pathname} (the app has no such file; rebuild it with npm run web:build if it should)`);
    }
    if (file === join(root, WEB_MANIFEST_FILE)) return plain(res, 404, `not found: ${pathname}`);
    const hashed = file.startsWith(join(root, 'assets') + sep);
    // The build wrote compressed copies beside the hashed assets (scripts/web/precompress.ts): send the
    // best one the browser accepts; `vary` keeps a shared cache from giving it to one that does not.
    const copy = hashed ? compressedCopy(file, req.headers['accept-encoding']) : null;
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'cache-control': hashed ? IMMUTABLE : 'no-cache',
      'x-content-type-options': 'nosniff',
      ...(hashed ? { vary: 'accept-encoding' } : {}),
      ...(copy ? { 'content-encoding': copy.encoding } : {}),
    });
    res.end(readFileSync(copy?.path ?? file));
  };

  return {
    name: 'web-app',
    routes: () => ({
      [WEB_APP_PATH]: (_req, res) => {
        res.writeHead(308, { location: `${WEB_APP_PATH}/` });
        res.end();
      },
      [`${WEB_APP_PATH}/*`]: serve,
      // What the app asks before anything else: where the graph is and how a person signs in.
      [`${WEB_APP_PATH}/config.json`]: (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
        res.end(config);
      },
    }),
  };
}
