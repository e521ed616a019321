/**
 * `npm run compose` as a user runs it: a broken subgraph schema fails with a message naming the
 * field, a stale committed supergraph fails `--check`, and a good one passes.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');

function copyProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-compose-'));
  cpSync(join(root, 'rover.yaml'), join(dir, 'rover.yaml'));
  cpSync(join(root, 'subgraphs'), join(dir, 'subgraphs'), { recursive: true, filter: (src) => src.endsWith('.graphql') || !src.includes('.') });
  cpSync(join(root, 'schema'), join(dir, 'schema'), { recursive: true });
  return dir;
}

function compose(cwd: string, ...args: string[]) {
  const res = spawnSync(process.execPath, [require.resolve('tsx/cli'), join(root, 'scripts/compose.ts'), ...args], { cwd, encoding: 'utf8' });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('npm run compose', () => {
  test('the committed supergraph is what rover.yaml composes to', () => {
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

  test('a field whose type conflicts between subgraphs fails, naming the subgraphs, type and field', () => {
    const dir = copyProject();
    const file = join(dir, 'subgraphs/finance/schema.graphql');
    // SpendingBucket.month is a String! everywhere else: make finance disagree.
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(type SpendingBucket[^{]*\{[^}]*?month: )String!/, '$1Int!'));
    const r = compose(dir, '--check');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/SpendingBucket\.month/);
    expect(r.out).toMatch(/finance/);
  });

  test('a schema file that does not parse fails, naming the subgraph', () => {
    const dir = copyProject();
    writeFileSync(join(dir, 'subgraphs/energy/schema.graphql'), 'type Query { broken(: }');
    const r = compose(dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/energy/);
  });

  test('unknown flags are refused with the list of valid ones', () => {
    const r = compose(root, '--chek');
    expect(r.code).toBe(2);
    expect(r.out).toContain('unknown flag --chek');
  });
});
