/**
 * The graph the bench measures, deployed as a deployment would run it: a throwaway PostgreSQL database
 * (created and dropped, as the test harness does), seeded, and every subgraph folder as its own process on
 * loopback ports, each with a service key of its own, all verifying the one gateway key every target signs
 * with (its public half served from this process, GATEWAY_JWKS_URL); the supergraph composed for those
 * ports and written to a file every gateway target serves.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSigningKey } from '../../platform/signing-keys';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, formatProblems } from '../../gateway/composition';
import { graphFolders } from '../../stack/graph';
import { subgraphs } from '../../subgraphs';
import { seedAll } from '../../subgraphs/seeding';
import { openTestDb } from '../../testing/harness';
import { onInterrupt, startProcess, type Child } from './processes';

/** The client JWT settings every target verifies with (a local HS256 secret, as `npm start` has). */
export const BENCH_JWT = { issuer: 'autograph-bench', audience: 'autograph', secret: randomBytes(24).toString('base64url') };

export interface BenchStack {
  /** The environment every process of the bench shares (secrets, JWT settings, subgraph ports and URLs). */
  env: Record<string, string>;
  supergraphPath: string;
  /** Where the gateway targets listen: `gatewayPort(i)` for the i-th. */
  gatewayPort(i: number): number;
  /** The subgraphs running, one process each. */
  subgraphNames(): string[];
  /** The running process of one subgraph. */
  subgraph(name: string): Child;
  /** Starts one subgraph's process again (after it was killed), with the same key, port and environment. */
  restartSubgraph(name: string): Promise<Child>;
  stop(): Promise<void>;
}

export async function startBenchStack(opts: { users: number; basePort: number; log: (line: string) => void }): Promise<BenchStack> {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-bench-'));
  const { db, url, drop } = await openTestDb();
  if (!url) throw new Error('set DATABASE_URL to a PostgreSQL server (the bench creates and drops its own database there)');
  const children: Child[] = [];
  const gatewayKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  // Every target signs with the one gateway key; the subgraphs read its public half here, as they would at a gateway.
  const jwks = JSON.stringify({ keys: [parseSigningKey(gatewayKey).publicJwk] });
  const keyServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((ok) => keyServer.listen(0, '127.0.0.1', ok));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    keyServer.close();
    await Promise.all(children.map((c) => c.stop()));
    await drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  onInterrupt(stop);
  try {
    const seeded = Date.now();
    await seedAll(db, opts.users); // the pool stays open until stop: dropping the database closes it first
    opts.log(`seeded ${opts.users} users into database ${new URL(url).pathname.slice(1)} in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: 'error',
      DATABASE_URL: url,
      AUTOGRAPH_PSEUDONYM_KEY: randomBytes(32).toString('hex'),
      PARTNER_TOKEN_SIGNING_KEY: gatewayKey,
      GATEWAY_JWKS_URL: `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/.well-known/jwks.json`,
      JWT_SECRET: BENCH_JWT.secret,
      JWT_ISSUER: BENCH_JWT.issuer,
      JWT_AUDIENCE: BENCH_JWT.audience,
      PORT: String(opts.basePort),
    };
    const urls: Record<string, string> = {};
    for (const { name, port } of subgraphs()) {
      const p = opts.basePort + port - 4000;
      urls[name] = `http://127.0.0.1:${p}/graphql`;
      env[`${name.toUpperCase()}_PORT`] = String(p);
      env[`${name.toUpperCase()}_URL`] = urls[name];
    }
    const outcome = compose(graphFolders().map((f) => ({ ...f.source, routingUrl: urls[f.mod.name] })));
    if (!outcome.ok) throw new Error(`composition failed:\n${formatProblems(outcome.problems)}`);
    const supergraphPath = join(dir, 'supergraph.graphql');
    writeFileSync(supergraphPath, outcome.supergraphSdl);

    const started = Date.now();
    const serviceKeys = new Map(subgraphs().map(({ name }) => [name, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string]));
    const byName = new Map<string, Child>();
    const startSubgraph = async (name: string) => {
      const child = await startProcess('scripts/subgraph.ts', [name], { ...env, SERVICE_TOKEN_SIGNING_KEY: serviceKeys.get(name)! });
      children.push(child);
      byName.set(name, child);
      return child;
    };
    const starts = await Promise.allSettled(subgraphs().map(({ name }) => startSubgraph(name)));
    const failed = starts.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    opts.log(`started ${children.length} subgraph processes (${subgraphs().map((s) => s.name).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return {
      env,
      supergraphPath,
      gatewayPort: (i) => opts.basePort + 20 + i,
      subgraphNames: () => [...byName.keys()],
      subgraph: (name) => byName.get(name)!,
      restartSubgraph: startSubgraph,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
