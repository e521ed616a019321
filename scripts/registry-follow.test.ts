/**
 * The registry flags of the server commands, as a person runs them: `npm run gateway -- --registry URL`
 * refuses a bad URL, a missing token and `--supergraph` alongside, and — with the registry unreachable and no
 * cached supergraph — exits saying what to do; `npm run subgraph -- <name> --registry URL` refuses a
 * subgraph that does not derive its schema from its peers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const env = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', AUTOGRAPH_INTERNAL_SECRET: 'x'.repeat(40), JWT_SECRET: 'test-secret-that-is-long-enough' };

function run(script: string, args: string[], extra: Record<string, string> = {}) {
  const out = spawnSync(process.execPath, ['--import=tsx', script, ...args], { cwd: root, env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
  return { status: out.status, output: `${out.stdout}${out.stderr}` };
}

test('npm run gateway -- --registry refuses a bad URL, a missing token, and --supergraph alongside', () => {
  const bad = run('scripts/gateway.ts', ['--registry', 'registry:4100'], { REGISTRY_TOKEN: 't' });
  expect(bad.status).toBe(2);
  expect(bad.output).toContain('--registry="registry:4100" is not a http:// or https:// URL');
  const noToken = run('scripts/gateway.ts', ['--registry', 'http://127.0.0.1:9']);
  expect(noToken.status).toBe(2);
  expect(noToken.output).toContain('REGISTRY_TOKEN must be set');
  const both = run('scripts/gateway.ts', ['--registry', 'http://127.0.0.1:9', '--supergraph', 'schema/supergraph.graphql']);
  expect(both.status).toBe(2);
  expect(both.output).toContain('give --supergraph PATH or --registry URL, not both');
  const empty = run('scripts/gateway.ts', ['--registry']);
  expect(empty.status).toBe(2);
  expect(empty.output).toContain('--registry needs a value');
}, 120_000);

test('a gateway whose registry is unreachable and which has no cached supergraph exits saying what to do', () => {
  const cache = join(mkdtempSync(join(tmpdir(), 'autograph-nocache-')), 'supergraph.graphql');
  const res = run('scripts/gateway.ts', ['--registry', 'http://127.0.0.1:9', '--port', '0'], { REGISTRY_TOKEN: 't', SUPERGRAPH_CACHE_PATH: cache });
  expect(res.status).toBe(1);
  expect(res.output).toContain(`the registry at http://127.0.0.1:9 gives no supergraph: it cannot be reached`);
  expect(res.output).toContain(`no cached supergraph at ${cache}`);
  expect(res.output).toContain('Start the registry and publish the subgraphs');
}, 60_000);

test('npm run subgraph -- <name> --registry refuses a subgraph that does not derive its schema from its peers', () => {
  const res = run('scripts/subgraph.ts', ['catalog', '--registry', 'http://127.0.0.1:9'], { REGISTRY_TOKEN: 't', DATABASE_URL: 'postgres://127.0.0.1:9/none' });
  expect(res.status).toBe(2);
  expect(res.output).toContain('--registry: catalog does not derive its schema from its peers');
  expect(res.output).toContain('only spending can');
  const bad = run('scripts/subgraph.ts', ['spending', '--registry', 'nope']);
  expect(bad.status).toBe(2);
  expect(bad.output).toContain('--registry="nope" is not a http:// or https:// URL');
}, 120_000);
