/**
 * The subgraphs of this tree, found from their folders: every folder under `subgraphs/` with an
 * `index.ts` and a `schema.graphql` is one, and its default export is its module (manifest + code).
 * Nothing else lists them, so adding a subgraph is adding a folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SubgraphModule } from './kit/module';
import { isSubgraphName } from '../platform/subgraph-name';

/** Folders under `subgraphs/` that are not subgraphs. */
const NOT_SUBGRAPHS = new Set(['kit']);

/** A subgraph folder whose manifest is wrong; the message names the folder and the fix. */
export class ManifestError extends Error {}

function load(dir: string, folder: string): SubgraphModule<any> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = require(join(dir, folder)) as { default?: SubgraphModule<any> };
  const mod = exported.default;
  const where = `subgraphs/${folder}/index.ts`;
  if (!mod || typeof mod !== 'object') throw new ManifestError(`${where} must export its SubgraphModule as default`);
  if (mod.name !== folder) throw new ManifestError(`${where} declares name ${JSON.stringify(mod.name)}: a subgraph's name is its folder's name (${folder})`);
  if (!Number.isInteger(mod.port) || mod.port < 1 || mod.port > 65535) throw new ManifestError(`${where}: port must be a TCP port (1-65535), got ${JSON.stringify(mod.port)}`);
  if (typeof mod.createLoaders !== 'function' || !mod.resolvers) throw new ManifestError(`${where} must give resolvers and createLoaders`);
  return mod;
}

/** Orders modules so that each seed stage runs after the ones it names; otherwise by default port. */
export function seedOrder(mods: readonly SubgraphModule<any>[]): SubgraphModule<any>[] {
  const byName = new Map(mods.map((m) => [m.name, m]));
  for (const m of mods) {
    for (const dep of m.seed?.after ?? []) {
      if (!byName.has(dep)) throw new ManifestError(`subgraphs/${m.name}: its seed runs after "${dep}", which is not a subgraph of this graph (they are: ${[...byName.keys()].join(', ')})`);
    }
  }
  const done: SubgraphModule<any>[] = [];
  const placed = new Set<string>();
  const pending = [...mods].sort((a, b) => a.port - b.port);
  while (pending.length) {
    const i = pending.findIndex((m) => (m.seed?.after ?? []).every((d) => placed.has(d)));
    if (i < 0) throw new ManifestError(`the seed stages of ${pending.map((m) => m.name).join(', ')} wait on each other in a cycle`);
    const [next] = pending.splice(i, 1);
    placed.add(next.name);
    done.push(next);
  }
  return done;
}

/** Every subgraph under `root` (default: this folder), in seed order. */
export function discoverSubgraphs(root: string = __dirname): SubgraphModule<any>[] {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !NOT_SUBGRAPHS.has(e.name) && existsSync(join(root, e.name, 'schema.graphql')) && existsSync(join(root, e.name, 'index.ts')))
    .map((e) => e.name)
    .sort();
  const mods = folders.map((folder) => {
    if (!isSubgraphName(folder)) throw new ManifestError(`subgraphs/${folder}: a subgraph folder is named with a lower case letter, then up to 39 lower case letters, digits or _ (it is also a PostgreSQL schema)`);
    return load(root, folder);
  });
  const ports = new Map<number, string>();
  for (const m of mods) {
    const other = ports.get(m.port);
    if (other) throw new ManifestError(`subgraphs/${m.name} and subgraphs/${other} both declare port ${m.port}: give one a port no folder uses, e.g. ${Math.max(...mods.map((x) => x.port)) + 1}`);
    ports.set(m.port, m.name);
  }
  return seedOrder(mods);
}

let cached: SubgraphModule<any>[] | undefined;
/** This tree's subgraphs (discovered once per process). */
export function subgraphs(): SubgraphModule<any>[] {
  cached ??= discoverSubgraphs();
  return cached;
}

/** One subgraph of this tree by name. */
export function subgraph(name: string): SubgraphModule<any> {
  const found = subgraphs().find((m) => m.name === name);
  if (!found) throw new ManifestError(`no subgraph named ${JSON.stringify(name)}: this graph has ${subgraphs().map((m) => m.name).join(', ')}`);
  return found;
}
