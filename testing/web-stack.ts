/**
 * An `npm start`-like graph for the web app's browser tests and `npm run bench:web`: every subgraph and
 * the gateway (development, with the demo sign-in), seeded demo data, the built app served at /app and its
 * persisted-query manifest loaded as client `web`'s safelisted trusted documents, exactly as `npm start`
 * loads it. The app is built (`npm run web:build`) when it has not been.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, watch, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { WEB_CLIENT_NAME, WEB_MANIFEST_FILE } from '../gateway/features/web-app';
import { webBuildStaleness, WEB_DIST, type ManifestOperation } from '../scripts/web/build';
import { startTestGraph, type TestGraph } from './harness';
import { seedAll } from './seed';

export { WEB_DIST };
export const WEB_MANIFEST = join(WEB_DIST, WEB_MANIFEST_FILE);
/** The client name the app sends (`apollographql-client-name`) and its documents are registered under. */
export const WEB_CLIENT = WEB_CLIENT_NAME;

/** The built app's trusted documents (Apollo's persisted-query manifest format). */
export function webManifest(): ManifestOperation[] {
  return (JSON.parse(readFileSync(WEB_MANIFEST, 'utf8')) as { operations: ManifestOperation[] }).operations;
}

/**
 * Builds the app when it is missing or older than its sources (npm start's own check), so the tests
 * never drive a stale build. Two test files may ask at once (jest runs two workers): the first takes a
 * lock file and builds, the others wait for the lock to go and use that build.
 */
export async function ensureWebAppBuilt(): Promise<void> {
  const why = webBuildStaleness();
  if (why === null) return;
  const lock = resolve(WEB_DIST, '..', '.build.lock');
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
    writeSync(fd, String(process.pid));
  } catch {
    // A lock whose builder is gone (killed mid-build) is taken over, not waited on for ever.
    if (!builderAlive(lock)) {
      rmSync(lock, { force: true });
      return ensureWebAppBuilt();
    }
    await lockReleased(lock);
    const still = webBuildStaleness();
    if (still !== null) throw new Error(`another process was building the web app (${lock}) and left it unbuilt (${still}); run npm run web:build to see why`);
    return;
  }
  try {
    // Its own process: the build runs GraphQL Code Generator and Vite, ES modules jest's sandbox would refuse.
    const res = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '-s', 'web:build'], { cwd: resolve(WEB_DIST, '..', '..'), encoding: 'utf8', timeout: 600_000 });
    if (res.status !== 0) throw new Error(`${why}, and npm run web:build failed (exit ${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
    const still = webBuildStaleness();
    if (still !== null) throw new Error(`npm run web:build succeeded but the app is still not servable: ${still}`);
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

/** Whether the process whose id the lock file holds is still running. */
function builderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(lock, 'utf8'));
  } catch {
    return true; // gone or being written: the caller waits for it to go
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Resolves when `path` no longer exists (the other builder finished, or gave up). */
function lockReleased(path: string): Promise<void> {
  return new Promise((done) => {
    const watcher = watch(resolve(path, '..'), () => {
      if (!existsSync(path)) {
        watcher.close();
        done();
      }
    });
    if (!existsSync(path)) {
      watcher.close();
      done();
    }
  });
}

export interface WebStack {
  graph: TestGraph;
  /** `http://127.0.0.1:<port>`: the only origin the app's pages may reach. */
  origin: string;
  /** `<origin>/app/`. */
  appUrl: string;
  stop(): Promise<void>;
}

/** The graph with the app, seeded with `users` demo users (demo-driver first, then user-000001, …). */
export async function startWebStack(opts: { users?: number } = {}): Promise<WebStack> {
  await ensureWebAppBuilt();
  // What npm start gives the gateway: the app's folder; the features make its manifest client web's safelist.
  const webApp = { dir: WEB_DIST };
  const graph = await startTestGraph({ development: true, gatewayConfig: { webApp } });
  try {
    await seedAll(graph.db, opts.users ?? 5);
  } catch (err) {
    await graph.stop();
    throw err;
  }
  const origin = new URL(graph.url).origin;
  return { graph, origin, appUrl: `${origin}/app/`, stop: () => graph.stop() };
}

/** Signs in through the app's sign-in page as `user` and waits for the dashboard. */
export async function signIn(page: Page, stack: WebStack, user: string): Promise<void> {
  await page.goto(stack.appUrl);
  await page.waitForURL(/\/app\/sign-in/);
  await page.getByLabel('Demo user').selectOption(user);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/app\/spending/);
  await page.getByRole('heading', { name: 'Spending' }).waitFor();
}
