/**
 * A copy of this tree in a temporary folder, as a contributor's checkout would be: code, schemas and
 * scripts copied, node_modules linked. Tests that change folders (a new subgraph, a broken schema) do it
 * in a copy, never in the tree other tests are reading.
 */
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const TREE_ROOT = resolve(__dirname, '..');
const SKIP = new Set(['node_modules', '.git', '.data']);
const ENTRIES = ['rover.yaml', 'package.json', 'tsconfig.json', 'schema', 'subgraphs', 'platform', 'gateway', 'registry', 'stack', 'testing', 'scripts', 'partners', 'web'];

export function copyTree(prefix = 'autograph-tree-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of ENTRIES) cpSync(join(TREE_ROOT, entry), join(dir, entry), { recursive: true, filter: (src) => !SKIP.has(src.split('/').pop()!) });
  symlinkSync(join(TREE_ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Copies a fixture folder of `testing/fixtures/` into the copy's `subgraphs/`, as a new subgraph. */
export function addFixtureSubgraph(tree: string, name: string): void {
  cpSync(join(TREE_ROOT, 'testing/fixtures', name), join(tree, 'subgraphs', name), { recursive: true });
}

/**
 * Loads a fixture subgraph in this process, as if it were a folder of the tree: it is copied into a
 * temporary `subgraphs/` whose `kit` and `../platform` link to the real ones, so its imports resolve to the
 * very modules the running graph uses. Returns its module (default export).
 */
export function loadFixtureSubgraph<M>(name: string): M {
  const dir = mkdtempSync(join(tmpdir(), 'autograph-fixture-'));
  mkdirSync(join(dir, 'subgraphs'));
  cpSync(join(TREE_ROOT, 'testing/fixtures', name), join(dir, 'subgraphs', name), { recursive: true });
  symlinkSync(join(TREE_ROOT, 'subgraphs/kit'), join(dir, 'subgraphs/kit'));
  symlinkSync(join(TREE_ROOT, 'platform'), join(dir, 'platform'));
  symlinkSync(join(TREE_ROOT, 'node_modules'), join(dir, 'node_modules'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(join(dir, 'subgraphs', name)) as { default: M }).default;
}
