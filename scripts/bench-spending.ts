/**
 * `npx tsx scripts/bench-spending.ts [--users N] [--iterations N] [--pglite]` — how fast is the
 * headline request, measured against baselines in the same run:
 *   - baseline A: `{ me { id } }` through the gateway (auth + one subgraph round trip);
 *   - baseline B: the same totals straight from SQL (one GROUP BY per subgraph, no GraphQL at all);
 *   - measured: the full headline request (totals, categories, months, first page of 20 lines),
 *     for demo-driver and for the user with the most lines.
 * Prints mean / p50 / p95 in ms and the ratios to the baselines. Runs on a throwaway PostgreSQL
 * database (DATABASE_URL, default local) or, with --pglite, on the embedded database.
 */
import { seedAll } from '../subgraphs/seeding';
import { spendingContributors } from '../stack/graph';
import { startTestGraph, as, type TestGraph } from '../testing/harness';
import { DEMO_USER } from '../subgraphs/kit/seed';
import { parseFlags } from './cli';

const HEADLINE = `query($first: Int) { me { id spending {
  total { amount currency } byCategory { category total { amount } } byMonth { month total { amount } }
  lines(first: $first) { edges { node { occurredAt category description amount { amount } } } pageInfo { hasNextPage endCursor } } } } }`;

async function time(iterations: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(20, iterations); i++) await fn(); // warm-up: query plans, JIT, connections
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { mean, p50: samples[Math.floor(samples.length * 0.5)], p95: samples[Math.floor(samples.length * 0.95)] };
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), { users: 'int', iterations: 'int', pglite: 'boolean' });
  const users = (flags.users as number | undefined) ?? 300;
  const iterations = (flags.iterations as number | undefined) ?? 200;
  if (!flags.pglite) process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/test';
  const g: TestGraph = await startTestGraph({ db: flags.pglite ? 'pglite' : 'auto' });
  try {
    const seeded = Date.now();
    await seedAll(g.db, users);
    console.log(`seeded ${users} users on ${g.db.kind} in ${Date.now() - seeded} ms`);

    // Every contributor's view, from the folders: baseline B sums exactly what the report merges.
    const contributors = spendingContributors();
    const lineCounts = await g.db.query<{ user_id: string; n: string }>(
      `SELECT user_id, count(*)::text AS n FROM (${contributors.map((c) => `SELECT user_id FROM ${c}.spending_lines`).join(' UNION ALL ')}) l
       GROUP BY user_id ORDER BY count(*) DESC, user_id LIMIT 1`,
    );
    const heavy = lineCounts[0]?.user_id ?? DEMO_USER;
    const tokens = { demo: await g.token(as.customer(DEMO_USER)), heavy: await g.token(as.customer(heavy)) };
    const post = async (token: string, query: string, variables: object = {}) => {
      const res = await fetch(g.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      const body = (await res.json()) as { errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
    };
    const sqlTotals = (userId: string) =>
      Promise.all(
        contributors.map((s) =>
          g.db.query(`SELECT category, to_char(occurred_at AT TIME ZONE 'UTC','YYYY-MM') m, sum(amount_fen) FROM ${s}.spending_lines WHERE user_id = $1 GROUP BY 1, 2`, [userId]),
        ),
      );

    const results = {
      'baseline A: me { id } via gateway': await time(iterations, () => post(tokens.demo, '{ me { id } }')),
      'baseline B: totals straight from SQL': await time(iterations, () => sqlTotals(DEMO_USER)),
      [`headline, ${DEMO_USER}`]: await time(iterations, () => post(tokens.demo, HEADLINE, { first: 20 })),
      [`headline, heaviest user (${heavy}, ${lineCounts[0]?.n ?? '?'} lines)`]: await time(iterations, () => post(tokens.heavy, HEADLINE, { first: 20 })),
    };
    const a = results['baseline A: me { id } via gateway'].mean;
    const b = results['baseline B: totals straight from SQL'].mean;
    console.log(`\n${'case'.padEnd(58)} ${'mean'.padStart(8)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}  ×A     ×B`);
    for (const [name, r] of Object.entries(results)) {
      console.log(`${name.padEnd(58)} ${r.mean.toFixed(2).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)}  ${(r.mean / a).toFixed(2).padEnd(6)} ${(r.mean / b).toFixed(2)}`);
    }
  } finally {
    await g.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
