/**
 * The gateway as its own process (`scripts/gateway.ts`, what `npm run gateway` runs) in front of a test
 * graph's subgraphs: a second replica for tests whose claim is about replicas (state shared through
 * Redis). It serves the composed tree from a file, reaches each subgraph at the test graph's URL, and
 * signs with the test graph's gateway key and shares its JWT settings; `env` adds or overrides variables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { composeForTests, testSigningKey, TEST_GATEWAY_ISSUER, TEST_JWT, type TestGraph } from './harness';

export interface GatewayProcess {
  url: string;
  /** Everything it printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

const root = resolve(__dirname, '..');

export async function startGatewayProcess(g: TestGraph, env: Record<string, string> = {}): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-gateway-process-'));
  const supergraph = join(dir, 'supergraph.graphql');
  writeFileSync(supergraph, composeForTests());
  const subgraphUrls = Object.fromEntries(Object.entries(g.stack.subgraphs).map(([name, s]) => [`${name.toUpperCase()}_URL`, s.url]));
  // tsx as a loader in this process (not its CLI, which would leave a child running after a kill).
  const child: ChildProcess = spawn(process.execPath, ['--import=tsx', 'scripts/gateway.ts', '--supergraph', supergraph, '--port', '0'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      PARTNER_TOKEN_ISSUER: TEST_GATEWAY_ISSUER,
      JWT_SECRET: TEST_JWT.secret,
      JWT_ISSUER: TEST_JWT.issuer,
      JWT_AUDIENCE: TEST_JWT.audience,
      PARTNER_TOKEN_SIGNING_KEY: testSigningKey().privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
      ...subgraphUrls,
      ...env,
    },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const m = /gateway (http:\/\/127\.0\.0\.1:\d+\/graphql)/.exec(out);
    if (m) return { url: m[1], output: () => out, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the gateway process did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
