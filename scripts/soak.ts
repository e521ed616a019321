/**
 * `npm run soak -- --minutes N [--users N] [--buyers N] [--rate N] [--json]` — a bounded load and fault run on
 * loopback: the graph as separate processes (every subgraph, two gateway replicas) on a private PostgreSQL
 * and a private Redis (the machine's own servers are never touched), under a steady mix of headline reads
 * and purchase-flow mutations, while it kills and restarts a subgraph, stops and restarts Redis, restarts
 * PostgreSQL and publishes a supergraph change. It prints requests, failures by kind and p50/p99 per phase,
 * then checks that every acknowledged mutation is in the database exactly once and that every buyer's money
 * reconciles to the fen. Exits 1 when a check fails, a process crashed, or a phase after a recovery had
 * no successful answer.
 */
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parse, print } from 'graphql';
import { compose } from '../gateway/composition';
import { openPostgres, type PostgresDb } from '../platform/db';
import { parseDecimalToFen } from '../platform/money';
import { graphFolders } from '../stack/graph';
import { startPostgres, type PostgresServer } from '../testing/postgres-server';
import { freePort, killRedis, startRedis } from '../testing/redis-server';
import { fail, parseFlags } from './cli';
import { onInterrupt, startProcess, stopChildrenOnExit, type Child } from './bench/processes';
import { startBenchStack, type BenchStack } from './bench/stack';
import { checkInvariants, type Check } from './soak/invariants';
import { HEADLINE, percentile, Traffic } from './soak/traffic';

/** The subgraph the run kills: a contributor to the headline report, not on the purchase path. */
const VICTIM = 'energy';
const TRIM = 'trim-ut-420';
const log = (line: string) => console.error(`soak: ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

async function servedSupergraph(port: number): Promise<string | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/health/supergraph`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { current?: { id: string } | null }).current?.id;
}

/** The tree's supergraph with one description changed in catalog's schema: a harmless, visible change. */
function changedSupergraph(routingUrl: (name: string) => string, stamp: string): string {
  const sources = graphFolders().map((f) => {
    const typeDefs = f.mod.name === 'catalog' ? parse(print(f.source.typeDefs).replace('"Vehicle models, ordered by name. Public."', `"Vehicle models, ordered by name. Public. (published ${stamp})"`)) : f.source.typeDefs;
    return { ...f.source, typeDefs, routingUrl: routingUrl(f.mod.name) };
  });
  const outcome = compose(sources);
  if (!outcome.ok) throw new Error('the changed supergraph does not compose');
  return outcome.supergraphSdl;
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { minutes: 'string', users: 'int', buyers: 'int', rate: 'int', json: 'boolean' });
  const minutes = Number(flags.minutes ?? 1);
  if (!/^\d+(\.\d+)?$/.test(String(flags.minutes ?? '1')) || minutes < 0.1 || minutes > 60) fail(`--minutes must be a number from 0.1 to 60 (fractions allowed), not "${flags.minutes}"`);
  const users = (flags.users as number | undefined) ?? 20;
  const buyers = (flags.buyers as number | undefined) ?? 8;
  const rate = (flags.rate as number | undefined) ?? 20;
  if (users < 1 || users > 10_000) fail(`--users must be 1 to 10000, not ${users}`);
  if (buyers < 1 || buyers > 1_000) fail(`--buyers must be 1 to 1000, not ${buyers}`);
  if (rate < 1 || rate > 1_000) fail(`--rate must be 1 to 1000 requests/s, not ${rate}`);
  stopChildrenOnExit();

  const crashed: string[] = [];
  let pg: PostgresServer | undefined;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  let stack: BenchStack | undefined;
  let db: PostgresDb | undefined;
  const gateways: Child[] = [];
  const cleanup = async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await db?.close().catch(() => undefined);
    await stack?.stop();
    if (redis) await killRedis(redis);
    await pg?.destroy();
  };
  onInterrupt(cleanup);
  try {
    pg = await startPostgres();
    const redisPort = await freePort();
    redis = await startRedis(redisPort);
    log(`private PostgreSQL on port ${pg.port}, private Redis on port ${redisPort}`);
    process.env.DATABASE_URL = pg.url(); // the stack creates, seeds and drops its own database on this server
    const basePort = 24000 + randomInt(0, 160) * 50;
    stack = await startBenchStack({ users, basePort, log });
    db = await openPostgres(stack.env.DATABASE_URL, { maxConnections: 2, connectTimeoutMs: 10_000 });
    // No response cache: a cached headline would be answered without the subgraphs and PostgreSQL the faults
    // are about. Redis still holds the rate limits and persisted queries the replicas share.
    const gatewayEnv = { ...stack.env, SUPERGRAPH_PATH: stack.supergraphPath, REDIS_URL: `redis://127.0.0.1:${redisPort}`, RATE_LIMITS: 'customer=100000000/1s', RESPONSE_CACHE: 'false' };
    for (const i of [0, 1]) gateways.push(await startProcess('scripts/gateway.ts', [], { ...gatewayEnv, PORT: String(stack.gatewayPort(i)) }));
    log(`two gateway replicas on ports ${stack.gatewayPort(0)} and ${stack.gatewayPort(1)}`);

    const readers = (await db.query<{ id: string }>('SELECT id FROM orders.users ORDER BY id LIMIT 50')).map((r) => r.id);
    const run = `soak-${Date.now().toString(36)}`;
    const traffic = new Traffic({
      gateways: [0, 1].map((i) => `http://127.0.0.1:${stack!.gatewayPort(i)}/graphql`),
      readers,
      buyers: Array.from({ length: buyers }, (_, i) => `${run}-buyer-${i}`),
      rate,
      trimId: TRIM,
      mutationShare: 0.3,
      timeoutMs: 15_000,
    });
    const slice = (minutes * 60_000) / 8;
    const watchCrashes = () => {
      for (const [i, g] of gateways.entries()) if (!g.alive() && !crashed.includes(`gateway ${i}`)) crashed.push(`gateway ${i}`);
    };
    const hold = async () => {
      const end = Date.now() + slice;
      while (Date.now() < end) {
        watchCrashes();
        await sleep(Math.min(250, end - Date.now()));
      }
    };
    const published = { ok: false, detail: '' };

    traffic.phase('warm');
    traffic.start();
    await hold();
    traffic.phase(`subgraph killed (${VICTIM})`);
    await stack.subgraph(VICTIM).kill();
    await hold();
    await stack.restartSubgraph(VICTIM);
    traffic.phase('subgraph back');
    await hold();
    traffic.phase('Redis stopped');
    await killRedis(redis);
    await hold();
    redis = await startRedis(redisPort);
    traffic.phase('Redis back');
    await hold();
    traffic.phase('PostgreSQL restarting');
    await pg.stop();
    await sleep(Math.min(slice, 3_000)); // down for a moment, as a restart with a checkpoint is
    await pg.start();
    await hold();
    traffic.phase('PostgreSQL back');
    await hold();
    traffic.phase('supergraph published');
    const before = await Promise.all([0, 1].map((i) => servedSupergraph(stack!.gatewayPort(i))));
    const publishedAt = Date.now();
    writeFileSync(stack.supergraphPath, changedSupergraph((name) => stack!.env[`${name.toUpperCase()}_URL`], new Date().toISOString()));
    try {
      await waitUntil('both gateways serve the published supergraph', async () => (await Promise.all([0, 1].map((i) => servedSupergraph(stack!.gatewayPort(i))))).every((id, i) => id !== undefined && id !== before[i]));
      Object.assign(published, { ok: true, detail: `served by both replicas ${((Date.now() - publishedAt) / 1000).toFixed(1)} s after it was written` });
    } catch (err) {
      published.detail = (err as Error).message;
    }
    await hold();
    await traffic.stop();
    watchCrashes();
    for (const name of stack.subgraphNames()) if (!stack.subgraph(name).alive()) crashed.push(`subgraph ${name}`);

    // Each buyer's headline total, asked after every fault has passed (retried: the last phase may have just ended).
    const headline = new Map<string, bigint | Error>();
    for (const userId of traffic.buyerIds()) {
      try {
        let total: string | undefined;
        await waitUntil(`${userId}'s headline total`, async () => {
          const a = await traffic.send(0, userId, HEADLINE);
          total = a.data?.me?.spending?.total?.amount;
          return total !== undefined;
        }, 30_000);
        headline.set(userId, parseDecimalToFen(total!));
      } catch (err) {
        headline.set(userId, err as Error);
      }
    }
    traffic.phases.at(-1)!.endedAt = Date.now();

    const checks: Check[] = await checkInvariants(db, traffic.buyerIds(), traffic.acknowledged, headline);
    const acked = traffic.acknowledged.filter((a) => a.kind !== 'placeOrder').length;
    checks.push({ name: 'the purchase flow made progress (payments acknowledged)', ok: acked > 0, detail: `${acked} payments` });
    checks.push({ name: 'the published supergraph is served without a restart', ok: published.ok, detail: published.detail });
    checks.push({ name: 'no process crashed', ok: crashed.length === 0, detail: crashed.length ? crashed.join(', ') : `${stack.subgraphNames().length} subgraphs, 2 gateways` });
    checks.push({ name: 'no CONFLICT on a first payment attempt', ok: traffic.unexpectedConflicts === 0, detail: `${traffic.unexpectedConflicts}` });
    const recovered = traffic.phases.filter((p) => !/killed|stopped|restarting/.test(p.name));
    const silent = recovered.filter((p) => p.ok === 0);
    checks.push({ name: 'every phase outside a fault has successful answers', ok: silent.length === 0, detail: silent.length ? silent.map((p) => p.name).join(', ') : `${recovered.length} phases` });
    report(traffic, checks, Boolean(flags.json));
    process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
  } finally {
    await cleanup();
  }
}

function report(traffic: Traffic, checks: Check[], json: boolean): void {
  const phases = traffic.phases.map((p) => ({
    phase: p.name,
    seconds: Number((((p.endedAt ?? Date.now()) - p.startedAt) / 1000).toFixed(1)),
    requests: p.requests,
    ok: p.ok,
    failures: Object.fromEntries(p.failures),
    p50Ms: Math.round(percentile(p.latenciesMs, 50)),
    p99Ms: Math.round(percentile(p.latenciesMs, 99)),
  }));
  const served = phases.reduce((s, p) => s + p.ok, 0);
  const requests = phases.reduce((s, p) => s + p.requests, 0);
  const unknown = Object.fromEntries(traffic.unknown);
  const acknowledged = traffic.acknowledged.length;
  if (json) {
    console.log(JSON.stringify({ requests, served, acknowledged, unknown, landedUnknown: traffic.landedUnknown, phases, checks }, null, 2));
    return;
  }
  const rows = phases.map((p) => [p.phase, String(p.seconds), String(p.requests), String(p.ok), Object.entries(p.failures).map(([k, v]) => `${k} ${v}`).join(', ') || '-', String(p.p50Ms), String(p.p99Ms)]);
  const head = ['phase', 's', 'requests', 'ok', 'failures by kind', 'p50 ms', 'p99 ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 1 && i !== 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  console.log(`requests ${requests}, served ${served}; mutations acknowledged ${acknowledged}, outcome unknown ${JSON.stringify(unknown)}, unknown found applied on retry ${traffic.landedUnknown}`);
  for (const [kind, message] of traffic.samples) console.log(`first ${kind}: ${message}`);
  for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
}

main().catch((err) => {
  console.error(`soak: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
