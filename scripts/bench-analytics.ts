/**
 * `npx tsx scripts/bench-analytics.ts [--users N] [--iterations N]` — how fast are the analyst views
 * with N seeded users (default 10,000) on a throwaway PostgreSQL database (DATABASE_URL, default local):
 * the initial load of the analytics store (every user, through the contributors' feeds), an incremental
 * refresh after one write, and each view through the gateway (mean / p50 / p95 in ms).
 * `--gateway URL` times the views of a graph already running there instead (an analyst's token in
 * AUTOGRAPH_TOKEN), e.g. the 100,000-user stack of `npm run bench:export` once its store has loaded.
 */
import { seedAll } from '../subgraphs/seeding';
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { fail, parseFlags } from './cli';
import { ingesterOf } from '../subgraphs/analytics/running';

const VIEWS: Record<string, string> = {
  'lifecycle events, first page of 100': `{ analystLifecycleEvents(first: 100) { asOf edges { node { id occurredAt stage kind amount { amount } userId vin modelId city } } pageInfo { endCursor } } }`,
  'lifecycle events, MAINTENANCE in one city, 100': `{ analystLifecycleEvents(first: 100, filter: { stages: [MAINTENANCE], cities: ["Guangzhou"] }) { edges { node { id } } } }`,
  'lifecycle events, partition 3 of 8, 100': `{ analystLifecycleEvents(first: 100, partition: { index: 3, count: 8 }) { edges { node { id } } } }`,
  'cost of ownership, 50 vehicles': `{ analystOwnershipCosts(first: 50) { edges { node { vin total { amount } months { monthIndex total { amount } byCategory { category amount { amount } } } } } } }`,
  'cost averages by model/trim/battery, 24 months': `{ analystOwnershipCostAverages(months: 24) { groups { trimId batteryOption vehicles months { monthIndex average { amount } byCategory { category average { amount } } } } } }`,
  'retention, 24 months': `{ analystRetention(months: 24) { cohorts { cohort vehicles months { monthIndex share } } } }`,
};

async function time(iterations: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(5, iterations); i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { mean: samples.reduce((a, b) => a + b, 0) / samples.length, p50: samples[Math.floor(samples.length * 0.5)], p95: samples[Math.floor(samples.length * 0.95)] };
}

async function timeViews(url: string, token: string, iterations: number) {
  const post = async (query: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  console.log(`\n${'view'.padEnd(50)} ${'mean'.padStart(8)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}`);
  for (const [name, query] of Object.entries(VIEWS)) {
    const r = await time(iterations, () => post(query));
    console.log(`${name.padEnd(50)} ${r.mean.toFixed(1).padStart(8)} ${r.p50.toFixed(1).padStart(8)} ${r.p95.toFixed(1).padStart(8)}`);
  }
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', iterations: 'int', gateway: 'string' });
  const users = (flags.users as number | undefined) ?? 10_000;
  const iterations = (flags.iterations as number | undefined) ?? 30;
  if (flags.gateway) {
    const token = process.env.AUTOGRAPH_TOKEN;
    if (!token) fail("--gateway needs an analyst's token in AUTOGRAPH_TOKEN");
    await timeViews(flags.gateway as string, token, iterations);
    return;
  }
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  // The periodic refresh would compete with the measurement: refresh only when asked.
  process.env.ANALYTICS_REFRESH_SECONDS ??= '3600';
  const g: TestGraph = await startTestGraph();
  try {
    let t = Date.now();
    await seedAll(g.db, users);
    console.log(`seeded ${users} users in ${Date.now() - t} ms`);
    const admin = await g.token(as.admin());
    const analyst = await g.token(as.analyst());
    const post = async (token: string, query: string) => {
      const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    t = Date.now();
    // Straight on the ingester: the initial load takes longer than the gateway waits for one fetch.
    const load = await ingesterOf(g.db).refresh();
    const [{ n }] = await g.db.query<{ n: string }>('SELECT count(*)::text AS n FROM analytics.events');
    console.log(`initial load: ${load.users} users, ${n} events in ${Date.now() - t} ms`);
    await g.db.query(`UPDATE orders.test_drives SET city = city WHERE id IN (SELECT id FROM orders.test_drives ORDER BY id LIMIT 50)`);
    t = Date.now();
    const inc = (await post(admin, 'mutation { refreshAnalytics { users } }')).refreshAnalytics as { users: number };
    console.log(`incremental refresh: ${inc.users} users changed, ${Date.now() - t} ms`);
    await timeViews(g.url, analyst, iterations);
  } finally {
    await g.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
