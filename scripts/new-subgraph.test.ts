/**
 * A new subgraph is one folder. A fixture insurer (one table, one category, one subject type, a seed;
 * testing/fixtures/insurer) is copied into subgraphs/ of a copy of the tree; nothing else is edited.
 * `npm run compose` and `npm start` then take it in: composition, rover.yaml, seeding, the spending merge
 * and the headline report — total, byCategory, byMonth and lines with paidFor resolved by the insurer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addFixtureSubgraph, copyTree } from '../testing/tree';
import { HEADLINE_QUERY } from '../gateway/headline-query';
import { parseDecimalToFen } from '../platform/money';

const FIXTURE_FEN = 12000n + 12000n + 3550n;
const LINES_QUERY = `query { me { spending { total { amount } byCategory { category total { amount } } byMonth { month total { amount } }
  lines(first: 100) { edges { node { id category amount { amount } paidFor { __typename ... on PartnerPremium { id cover amount { amount } } } } } } } } }`;

let tree: string;
let child: ChildProcess | undefined;
let output = '';
afterAll(() => child?.kill('SIGKILL'));

async function startGraph(cwd: string): Promise<{ url: string; auth: string }> {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...env } = process.env;
  child = spawn(process.execPath, ['--import=tsx', 'scripts/start.ts', '--users', '3'], {
    cwd,
    env: { ...env, NODE_ENV: 'development', PORT: '0', PGLITE_DIR: mkdtempSync(join(tmpdir(), 'autograph-new-subgraph-')) },
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 120_000;
  while (!/Other tokens/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url: /gateway\s+(http:\/\/\S+)/.exec(output)![1], auth: /-H '(authorization: Bearer [^']+)'/.exec(output)![1].split(': ')[1] };
}

describe('a sixth contributor is one folder', () => {
  beforeAll(() => {
    tree = copyTree('autograph-new-subgraph-');
    addFixtureSubgraph(tree, 'insurer');
  });

  test('npm run compose takes the folder in: rover.yaml, the generated spending schema and the supergraph name it', () => {
    const r = spawnSync(process.execPath, ['--import=tsx', 'scripts/compose.ts'], { cwd: tree, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(tree, 'rover.yaml'), 'utf8')).toMatch(/insurer:\n\s+routing_url: http:\/\/127\.0\.0\.1:4007\/graphql\n\s+schema:\n\s+file: \.\/subgraphs\/insurer\/schema\.graphql/);
    const spending = readFileSync(join(tree, 'schema/subgraphs/spending.graphql'), 'utf8');
    expect(spending).toMatch(/insurerBuckets: \[InsurerSpendingBucket!\]! @external/);
    expect(spending).toMatch(/union SpendingSubject = .*\| PartnerPremium/);
    expect(spending).toMatch(/PARTNER_PREMIUM/);
    expect(readFileSync(join(tree, 'schema/supergraph.graphql'), 'utf8')).toMatch(/INSURER @join__graph\(name: "insurer"/);
  }, 60_000);

  test("npm start seeds it and the headline report counts its premiums in total, byCategory, byMonth and lines, with paidFor resolved by it", async () => {
    const { url, auth } = await startGraph(tree);
    expect(output).toMatch(/insurer\s+http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const post = async (query: string, variables = {}) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    };
    const res = await post(LINES_QUERY);
    expect(res.errors).toBeUndefined();
    const spending = res.data.me.spending;
    const premiums = spending.lines.edges.map((e: any) => e.node).filter((n: any) => n.category === 'PARTNER_PREMIUM');
    expect(premiums.map((n: any) => [n.amount.amount, n.paidFor])).toEqual([
      ['35.50', { __typename: 'PartnerPremium', id: 'prem-3', cover: 'Windscreen cover', amount: { amount: '35.50' } }],
      ['120.00', { __typename: 'PartnerPremium', id: 'prem-2', cover: 'Tyre cover, March', amount: { amount: '120.00' } }],
      ['120.00', { __typename: 'PartnerPremium', id: 'prem-1', cover: 'Tyre cover, February', amount: { amount: '120.00' } }],
    ]);
    expect(spending.byCategory).toContainEqual({ category: 'PARTNER_PREMIUM', total: { amount: '275.50' } });
    // Every fen once: the total is the sum of the categories and of the months, premiums included.
    const sum = (xs: Array<{ total: { amount: string } }>) => xs.reduce((a, x) => a + parseDecimalToFen(x.total.amount), 0n);
    expect(sum(spending.byCategory)).toBe(parseDecimalToFen(spending.total.amount));
    expect(sum(spending.byMonth)).toBe(parseDecimalToFen(spending.total.amount));
    expect(spending.byMonth.find((m: any) => m.month === '2026-04').total.amount).not.toBe('0.00');
    expect(parseDecimalToFen(spending.total.amount)).toBeGreaterThan(FIXTURE_FEN);
    // The headline request of the README, unchanged, carries the new lines too.
    const headline = await post(HEADLINE_QUERY, { first: 20 });
    expect(headline.errors).toBeUndefined();
    expect(headline.data.me.spending.total.amount).toBe(spending.total.amount);
    // And /health/subgraphs lists it.
    const health = (await (await fetch(url.replace('/graphql', '/health/subgraphs'))).json()) as { subgraphs: Record<string, string> };
    expect(health.subgraphs.insurer).toBe('ok');
  }, 150_000);
});
