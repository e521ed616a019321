/**
 * The web app's build (`npm run web:build`, and `npm start` when web/dist is missing or older than its
 * sources): GraphQL Code Generator → the persisted-query manifest (Apollo's format, from codegen's
 * persisted documents, with the transforms Apollo Client applies, so each body is exactly what the
 * app's operation would be) → the operation ids the app sends → Vite → web/dist, with the manifest
 * beside index.html for the gateway to safelist. Every operation is validated against the API schema
 * first: a stale schema or a broken document fails the build, naming the operation.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSchema, isInterfaceType, isUnionType, parse, validate, type GraphQLSchema } from 'graphql';
import { WEB_MANIFEST_FILE } from '../../gateway/features/web-app';
import { codegenConfig } from '../../web/codegen';
import { isPrecompressedCopy, precompress } from './precompress';

export const WEB_DIR = resolve(__dirname, '..', '..', 'web');
export const WEB_DIST = join(WEB_DIR, 'dist');
const GENERATED = join(WEB_DIR, 'src', 'gql');

export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface WebBuildResult {
  ms: number;
  operations: number;
  /** Every file under dist/assets: raw and gzip bytes. */
  assets: Array<{ file: string; bytes: number; gzipBytes: number }>;
}

/** Problems of each operation against the schema, each naming the operation; empty when all validate. */
export function manifestProblems(schema: GraphQLSchema, operations: readonly ManifestOperation[]): string[] {
  return operations.flatMap((op) => validate(schema, parse(op.body)).map((e) => `${op.name}: ${e.message}`));
}

export const readApiSchema = () => buildSchema(readFileSync(join(WEB_DIR, 'schema.graphql'), 'utf8'));

/** Which concrete types each union and interface has: Apollo's cache needs it to match fragments on them. */
function possibleTypes(schema: GraphQLSchema): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (isUnionType(type) || isInterfaceType(type)) out[type.name] = schema.getPossibleTypes(type).map((t) => t.name);
  }
  return out;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, failed) => {
    const child = spawn(command, args, { cwd: resolve(WEB_DIR, '..'), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', failed);
    child.on('exit', (code) => (code === 0 ? done() : failed(new Error(`${args.join(' ')} failed (exit ${code}):\n${out}`))));
  });
}

/** Held while a build writes web/dist: two builds at once (two test workers, a start and a test) would mix. */
const LOCK = join(WEB_DIR, '.building');

function lockReleased(): Promise<void> {
  return new Promise((done) => {
    const gone = () => {
      if (existsSync(LOCK)) return;
      unwatchFile(LOCK, gone);
      done();
    };
    watchFile(LOCK, { interval: 200 }, gone);
    gone(); // released before the watch began
  });
}

/**
 * Builds the app; when another process is building it, waits for that build and returns its result
 * unless the app is still stale afterwards (then builds again).
 */
export async function buildWebApp(): Promise<WebBuildResult> {
  for (;;) {
    let fd: number;
    try {
      fd = openSync(LOCK, 'wx');
    } catch {
      await lockReleased();
      if (webBuildStaleness() === null) return summarise(0, JSON.parse(readFileSync(join(WEB_DIST, WEB_MANIFEST_FILE), 'utf8')).operations.length);
      continue;
    }
    try {
      return await buildUnlocked();
    } finally {
      closeSync(fd);
      rmSync(LOCK, { force: true });
    }
  }
}

function summarise(ms: number, operations: number): WebBuildResult {
  const assetsDir = join(WEB_DIST, 'assets');
  const assets = readdirSync(assetsDir).filter((file) => !isPrecompressedCopy(file)).map((file) => {
    const body = readFileSync(join(assetsDir, file));
    return { file, bytes: body.length, gzipBytes: gzipSync(body).length };
  });
  return { ms, operations, assets };
}

async function buildUnlocked(): Promise<WebBuildResult> {
  const started = Date.now();
  const schema = readApiSchema();
  const { generate } = await import('@graphql-codegen/cli');
  await generate(codegenConfig(WEB_DIR), true);
  mkdirSync(GENERATED, { recursive: true });
  writeFileSync(join(GENERATED, 'possible-types.json'), JSON.stringify(possibleTypes(schema), null, 2) + '\n');

  const { generatePersistedQueryManifest, fromGraphQLCodegenPersistedDocuments } = await import('@apollo/generate-persisted-query-manifest');
  const manifest = await generatePersistedQueryManifest({ documents: fromGraphQLCodegenPersistedDocuments(join(GENERATED, 'persisted-documents.json')) }, undefined);
  const problems = manifestProblems(schema, manifest.operations);
  if (problems.length) throw new Error(`the web app's operations do not validate against web/schema.graphql (run npm run compose if the graph changed):\n  ${problems.join('\n  ')}`);
  // What the app's persisted-query link maps operation names to; the bodies stay out of the bundle.
  writeFileSync(join(GENERATED, 'operation-ids.json'), JSON.stringify(manifest.operations.map(({ id, name }) => ({ id, name })), null, 2) + '\n');

  // Vite's own CLI (its ESM build; the CommonJS API is deprecated and would warn).
  await run(process.execPath, [join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js'), 'build', '--config', join(WEB_DIR, 'vite.config.mts'), '--logLevel', 'warn']);
  precompress(join(WEB_DIST, 'assets'));
  writeFileSync(join(WEB_DIST, WEB_MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  return summarise(Date.now() - started, manifest.operations.length);
}

/** The newest modification time under `path` (a file, or a folder walked), skipping generated folders. */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).filter((n) => n !== 'gql').map((n) => newest(join(path, n))));
}

/** Why the built app cannot be served as it is (missing, or older than a source), or null when it is current. */
export function webBuildStaleness(): string | null {
  const index = join(WEB_DIST, 'index.html');
  if (!existsSync(index) || !existsSync(join(WEB_DIST, WEB_MANIFEST_FILE))) return 'web/dist is missing';
  if (!existsSync(join(GENERATED, 'operation-ids.json'))) return 'web/src/gql is missing';
  const built = statSync(index).mtimeMs;
  const sources = ['index.html', 'schema.graphql', 'vite.config.mts', 'codegen.ts', 'src'].map((p) => join(WEB_DIR, p)).filter(existsSync);
  const changed = sources.find((p) => newest(p) > built);
  return changed ? `web/${changed.slice(WEB_DIR.length + 1)} changed since web/dist was built` : null;
}

/** "312.4 kB (98.1 kB gzip) in 6 files": the JavaScript and CSS the browser downloads. */
export function bundleSummary(result: WebBuildResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  const raw = result.assets.reduce((s, a) => s + a.bytes, 0);
  const gz = result.assets.reduce((s, a) => s + a.gzipBytes, 0);
  return `${kb(raw)} (${kb(gz)} gzip) in ${result.assets.length} files`;
}
