/**
 * The Dockerfile, checked without a Docker engine (none on this machine): its stages, the unprivileged user,
 * production dependencies only, and that every file the servers load is in the build context and copied into
 * the runtime stage, and every package they import is a production dependency.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { copiedFromContext, dockerfileStages, flags, ignoredByDockerignore, importGraph, isCopied, ROOT, subgraphEntries, trackedFiles, words } from './image';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
const stages = dockerfileStages(dockerfile);
const runtime = stages[stages.length - 1];
const keyword = (k: string) => runtime.instructions.filter((i) => i.getKeyword() === k);

/** The package.json scripts of the roles the image runs, and the file each one starts. */
const ROLE_SCRIPTS = ['gateway', 'subgraph', 'registry', 'migrate'] as const;
function scriptFile(role: string): string | undefined {
  return /(scripts\/[\w-]+\.ts)/.exec(pkg.scripts[role] ?? '')?.[1];
}
const entries = ROLE_SCRIPTS.map(scriptFile).filter((f): f is string => f !== undefined);

describe('the Dockerfile', () => {
  it('has a dependencies stage installing production packages only from the lockfile, and a slim runtime stage copying them', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const deps = stages.find((s) => s.instructions.some((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(i.getArgumentsContent() ?? '')));
    expect(deps?.name).toBeTruthy();
    const install = deps!.instructions.find((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(i.getArgumentsContent() ?? ''))!;
    expect(install.getArgumentsContent()).toMatch(/--omit=dev\b/);
    expect(deps).not.toBe(runtime);
    expect(runtime.image).toMatch(/-slim$/);
    const fromDeps = keyword('COPY').filter((i) => flags(i).from === deps!.name);
    expect(fromDeps.map((i) => words(i)[0])).toContain('/app/node_modules');
    expect(runtime.instructions.some((i) => i.getKeyword() === 'RUN' && /\bnpm (ci|install)\b/.test(i.getArgumentsContent() ?? ''))).toBe(false);
  });

  it('runs as a numeric non-root user, in production mode, listening on every interface', () => {
    const users = keyword('USER').map((i) => words(i)[0]);
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1];
    // Numeric, so Kubernetes' runAsNonRoot can verify it; the manifests' runAsUser is the same id.
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    const userLine = keyword('USER').at(-1)!.getRange()!.start.line;
    for (const k of ['ENTRYPOINT', 'CMD']) expect(keyword(k).every((i) => i.getRange()!.start.line > userLine)).toBe(true);
    const env = keyword('ENV').map((i) => i.getArgumentsContent() ?? '').join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });

  it('starts node with the tsx loader (a production dependency) on a role script of package.json', () => {
    expect(words(keyword('ENTRYPOINT').at(-1)!)).toEqual(['node', '--import=tsx']);
    expect(pkg.dependencies.tsx).toBeDefined();
    const cmd = words(keyword('CMD').at(-1)!);
    expect(entries).toContain(cmd[0]);
    // Each role's package.json script runs the file the image is given, so the two cannot drift apart.
    for (const role of ['gateway', 'subgraph', 'registry']) expect(scriptFile(role)).toBeDefined();
  });

  it('copies every project file the servers load, and .dockerignore keeps none of them out', () => {
    const graph = importGraph([...entries, ...subgraphEntries()]);
    const tracked = trackedFiles();
    // Beside the modules: what the servers read by path (SQL, schemas, the supergraph) lives in the folders
    // of the modules that read it, so every tracked non-test file of each such folder must be shipped too.
    const folders = new Set([...graph.files].map((f) => f.split('/').slice(0, -1).join('/')));
    const needed = new Set([
      ...graph.files,
      ...tracked.filter((f) => !f.endsWith('.test.ts') && folders.has(f.split('/').slice(0, -1).join('/'))),
      ...tracked.filter((f) => /^subgraphs\/[^/]+\/(migrations|data)\//.test(f)),
      'schema/supergraph.graphql', // SUPERGRAPH_PATH's default
      'package.json',
      'package-lock.json',
      'tsconfig.json',
    ]);
    const ignored = ignoredByDockerignore([...needed], dockerignore);
    const sources = copiedFromContext(runtime);
    const missing = [...needed].filter((f) => ignored.has(f) || !isCopied(f, sources)).sort();
    expect(missing).toEqual([]);
    expect(graph.files.size).toBeGreaterThan(100);
    for (const f of needed) expect(existsSync(join(ROOT, f))).toBe(true);
  });

  it('keeps tests, local data and the test harness out of the build context', () => {
    const ignored = ignoredByDockerignore(['gateway/server.test.ts', '.data/pglite/PG_VERSION', 'testing/harness.ts', 'node_modules/x/index.js', '.git/HEAD'], dockerignore);
    expect(ignored.size).toBe(5);
  });

  it('every npm package the servers import at run time is a production dependency', () => {
    const graph = importGraph([...entries, ...subgraphEntries()]);
    const dev = [...graph.packages].filter(([name]) => pkg.dependencies[name] === undefined).map(([name, from]) => `${name} (imported by ${from})`);
    expect(dev).toEqual([]);
  });
});
