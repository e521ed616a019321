/**
 * `npm run compose` as a user runs it: a broken subgraph schema fails with a message naming the
 * field, a stale committed supergraph (or rover.yaml, or generated schema) fails `--check`, and a good
 * one passes. Each case runs in a copy of the tree, as a contributor's checkout would be.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { copyTree } from '../testing/tree';

const root = resolve(__dirname, '..');

const copyProject = () => copyTree('autograph-compose-');

function compose(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(cwd, 'scripts/compose.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('npm run compose', () => {
  test('the committed supergraph, rover.yaml and generated schemas are what the folders compose to', () => {
    const r = compose(root, '--check');
    expect(r.out).toContain('up to date');
    expect(r.code).toBe(0);
  });

  test('--check fails on a stale supergraph and says how to fix it', () => {
    const dir = copyProject();
    writeFileSync(join(dir, 'schema/supergraph.graphql'), readFileSync(join(dir, 'schema/supergraph.graphql'), 'utf8').replace('scalar DateTime', 'scalar DateTime\nscalar Stale'));
    const r = compose(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/stale[\s\S]*npm run compose/);
  });

  test('--check fails when the committed partner contract is not what the tags give, naming it; compose rewrites it', () => {
    const dir = copyProject();
    const file = join(dir, 'schema/contracts/partner.graphql');
    const committed = readFileSync(file, 'utf8');
    writeFileSync(file, committed.replace('type Query {', 'type Query {\n  me: User'));
    const r = compose(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/schema\/contracts\/partner\.graphql is stale/);
    expect(compose(dir).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(committed);
  });

  test('a field whose type conflicts between subgraphs fails, naming the subgraphs, type and field', () => {
    const dir = copyProject();
    const file = join(dir, 'subgraphs/finance/schema.graphql');
    // FinanceSpendingBucket.month is a String! in spending too: make finance disagree.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(type FinanceSpendingBucket[^{]*\{[^}]*?month: )String!/, '$1Int!'));
    const r = compose(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FinanceSpendingBucket\.month/);
    expect(r.out).toMatch(/finance/);
  });

  test('a schema file that does not parse fails, naming the subgraph', () => {
    const dir = copyProject();
    writeFileSync(join(dir, 'subgraphs/energy/schema.graphql'), 'type Query { broken(: }');
    const r = compose(dir, '--check');
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/energy/);
  });

  test('a stale rover.yaml fails --check, naming it', () => {
    const dir = copyProject();
    writeFileSync(join(dir, 'rover.yaml'), readFileSync(join(dir, 'rover.yaml'), 'utf8').replace('4003', '4903'));
    const r = compose(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/rover\.yaml[\s\S]*stale/);
  });

  test('unknown flags are refused with the list of valid ones', () => {
    const r = compose(root, '--chek');
    expect(r.code).toBe(2);
    expect(r.out).toContain('unknown flag --chek');
  });
});
