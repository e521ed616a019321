/**
 * Finding the subgraph folders: this tree's, in seed order, and the manifest mistakes a contributor makes,
 * each refused with a message naming the folder and the fix.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverSubgraphs, subgraphs } from '.';

/** A tree of minimal folders: name → manifest fields written into its index.ts. */
function tree(folders: Record<string, { name?: string; port: number; after?: string[] }>): string {
  const root = mkdtempSync(join(tmpdir(), 'autograph-discovery-'));
  for (const [folder, m] of Object.entries(folders)) {
    mkdirSync(join(root, folder));
    writeFileSync(join(root, folder, 'schema.graphql'), 'type Query { x: Int }');
    const seed = m.after ? `seed: { stage: async () => {}, after: ${JSON.stringify(m.after)} },` : '';
    writeFileSync(join(root, folder, 'index.ts'), `export default { name: ${JSON.stringify(m.name ?? folder)}, port: ${m.port}, ${seed} dir: __dirname, resolvers: {}, createLoaders: () => ({}) };`);
  }
  return root;
}

test('this tree’s folders, each seeded after what it names', () => {
  const names = subgraphs().map((m) => m.name);
  expect(names).toEqual(expect.arrayContaining(['catalog', 'orders', 'finance', 'aftermarket', 'energy', 'spending']));
  for (const m of subgraphs()) for (const dep of m.seed?.after ?? []) expect(names.indexOf(dep)).toBeLessThan(names.indexOf(m.name));
});

test('seed order follows `after`, not the folders’ names or ports', () => {
  expect(discoverSubgraphs(tree({ alpha: { port: 4001, after: ['beta'] }, beta: { port: 4002 } })).map((m) => m.name)).toEqual(['beta', 'alpha']);
});

test.each([
  ['a folder name with a dash', { 'car-wash': { port: 4001 } }, /subgraphs\/car-wash: a subgraph folder is named with a lower case letter/],
  ['a name that is not the folder’s', { wash: { name: 'carwash', port: 4001 } }, /declares name "carwash": a subgraph's name is its folder's name \(wash\)/],
  ['two folders on one port', { alpha: { port: 4001 }, beta: { port: 4001 } }, /both declare port 4001: give one a port no folder uses, e.g. 4002/],
  ['a port that is not one', { alpha: { port: 70000 } }, /port must be a TCP port/],
  ['a seed after a missing subgraph', { alpha: { port: 4001, after: ['order'] } }, /runs after "order", which is not a subgraph of this graph \(they are: alpha\)/],
  ['seeds waiting on each other', { alpha: { port: 4001, after: ['beta'] }, beta: { port: 4002, after: ['alpha'] } }, /wait on each other in a cycle/],
])('%s is refused, saying what to fix', (_what, folders, message) => {
  expect(() => discoverSubgraphs(tree(folders as Parameters<typeof tree>[0]))).toThrow(message);
});
