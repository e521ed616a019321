/**
 * The schema registry inside `npm start`: one process runs the registry next to the subgraphs and the
 * gateway, publishes the tree's subgraphs into it at their actual URLs on every start (allowing breaking
 * changes: locally the tree is the truth), keeps what partners published there, and has the gateway and
 * the peer-derived subgraphs (spending) follow it — so a partner published into it joins the running graph
 * with nothing restarted and no file edited.
 *
 * Its history is kept in its own embedded PGlite (REGISTRY_PGLITE_DIR, by default beside the stack's:
 * `<PGLITE_DIR>-registry`), or in the schema `registry` of DATABASE_URL. Its own PGlite, not a schema of the
 * stack's: a publish composes inside its transaction, and on PGlite a transaction holds the whole instance,
 * so every subgraph query would wait for it.
 */
import { createKey, revokeKey } from '../registry/credentials';
import { DEFAULT_USAGE_DAYS } from '../registry/usage-impact';
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { formatProblems } from '../gateway/composition';
import { readRegistryFollow, type AutographConfig } from '../gateway/config';
import { registrySupergraph } from '../gateway/registry-supergraph';
import type { SupergraphSource } from '../gateway/supergraph-source';
import { openPglite, type Db } from '../platform/db';
import type { Candidate } from '../registry/check';
import { DEFAULT_REGISTRY_PORT, loadRegistryConfig } from '../registry/config';
import { publish } from '../registry/publish';
import { startRegistry, type RunningRegistry } from '../registry/server';
import { currentVersions } from '../registry/store';
import { subgraphs as discovered } from '../subgraphs';
import type { SubgraphModule } from '../subgraphs/kit/module';
import { followPeers } from '../subgraphs/kit/peer-follower';
import type { RunningSubgraph } from '../subgraphs/kit/subgraph';
import type { RegistryWatch } from '../platform/registry-watch';
import { derivedSubgraphs, graphFolders, inTreeOrder } from './graph';

/** Who the tree's versions are recorded as published by. */
export const START_PUBLISHER = 'npm start';

export interface LocalRegistrySettings {
  port: number;
  host: string;
  maxBodyBytes: number;
  /** The registry's own PGlite; null: the schema `registry` of DATABASE_URL (the stack's database). */
  pgliteDir: string | null;
  /** Where the gateway keeps the last supergraph it served (SUPERGRAPH_CACHE_PATH). */
  cachePath: string;
  pollMs: number;
  probeTimeoutMs: number;
  /** REGISTRY_TOKEN: the followers' credential; by default a gateway key issued for this run. */
  token?: string;
}

/** The tree no longer composes with what partners published; the message says what and how to remove them. */
export class TreeDoesNotCompose extends Error {}

/**
 * What the in-process registry needs, checked before anything starts: throws one Error listing every
 * problem. Its port is REGISTRY_PORT, else the gateway's plus 100 (4100 beside 4000; 0 with PORT=0), so a
 * second copy moved by --port moves its registry too.
 */
export function readLocalRegistrySettings(env: NodeJS.ProcessEnv, config: AutographConfig): LocalRegistrySettings {
  const problems: string[] = [];
  if (config.registry) {
    problems.push(`REGISTRY_URL=${config.registry.url}: npm start runs a registry of its own (REGISTRY_PORT); to follow another registry run the gateway alone (npm run gateway -- --registry URL), or start with --no-registry`);
  }
  const offsetPort = config.gatewayPort === 0 ? 0 : config.gatewayPort + (DEFAULT_REGISTRY_PORT - 4000);
  if (!env.REGISTRY_PORT && offsetPort > 65535) problems.push(`the registry's port would be ${offsetPort} (the gateway's ${config.gatewayPort} + 100): choose a lower --port, or set REGISTRY_PORT`);
  let registry: ReturnType<typeof loadRegistryConfig> | undefined;
  try {
    registry = loadRegistryConfig(env, env.REGISTRY_PORT || offsetPort > 65535 ? {} : { port: offsetPort });
  } catch (err) {
    problems.push(...(err as Error).message.split('\n  - ').slice(1));
  }
  const follow = readRegistryFollow({ ...env, REGISTRY_TOKEN: env.REGISTRY_TOKEN || 'minted' }, 'http://127.0.0.1', problems);
  const token = env.REGISTRY_TOKEN || undefined;
  if (problems.length || !registry || !follow) throw new Error(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port: registry.port,
    host: config.host,
    maxBodyBytes: registry.maxBodyBytes,
    pgliteDir: config.databaseUrl ? null : env.REGISTRY_PGLITE_DIR || `${config.pgliteDir}-registry`,
    cachePath: env.SUPERGRAPH_CACHE_PATH || `${config.pgliteDir}-supergraph.graphql`,
    pollMs: follow.pollMs,
    probeTimeoutMs: follow.probeTimeoutMs,
    token,
  };
}

export interface LocalRegistry {
  url: string;
  /** The followers' registry credential (usage reports use it too). */
  token: string;
  /** Where its history is kept, for people. */
  where: string;
  /**
   * Publishes the tree's subgraphs at the URLs they run at, brings each peer-derived subgraph up to the
   * registry's peers (partners included), and gives the gateway's source following the registry.
   */
  publishTree(running: Readonly<Record<string, RunningSubgraph>>): Promise<SupergraphSource>;
  /** Names in the registry that are not folders of this tree (published partners), after `publishTree`. */
  partners: string[];
  /** Has each peer-derived subgraph follow the registry from now on. */
  followPeers(running: Readonly<Record<string, RunningSubgraph>>): void;
  stop(): Promise<void>;
}

/** How to take a partner out while `npm start` cannot start: the registry alone on the same storage, then `remove`. */
function removalHelp(settings: LocalRegistrySettings, partners: readonly string[]): string {
  const storage = settings.pgliteDir === null ? '' : `REGISTRY_PGLITE_DIR=${settings.pgliteDir} `;
  const port = settings.port || DEFAULT_REGISTRY_PORT;
  const lines = [
    `The registry keeps ${partners.length ? `what partners published (${partners.join(', ')})` : 'what was published into it'}. To take a partner out, run the registry alone on the same storage and remove it:`,
    `  ${storage}npm run registry -- --port ${port} &`,
    `  export AUTOGRAPH_TOKEN=$(npm run -s token -- --sub admin-1 --role admin)`,
    ...(partners.length ? partners : ['<name>']).map((p) => `  npm run schema -- remove --name ${p} --allow-breaking --registry http://127.0.0.1:${port}`),
    'or start without the registry: npm start -- --no-registry (the supergraph file flow).',
  ];
  return lines.join('\n');
}

/**
 * The registry's own embedded database (undefined on DATABASE_URL). Open it while the stack opens its
 * own: reopening a PGlite is most of what the registry adds to a start.
 */
export async function openLocalRegistryDb(settings: LocalRegistrySettings): Promise<Db | undefined> {
  return settings.pgliteDir === null ? undefined : openPglite(settings.pgliteDir);
}

/** Starts the registry on `ownDb` (from `openLocalRegistryDb`), or on the stack's PostgreSQL. */
export async function startLocalRegistry(settings: LocalRegistrySettings, config: AutographConfig, stackDb: Db, ownDb: Db | undefined, mods: readonly SubgraphModule<any>[] = discovered()): Promise<LocalRegistry> {
  const db = ownDb ?? stackDb;
  const derived = derivedSubgraphs(mods);
  let registry: RunningRegistry;
  try {
    registry = await startRegistry({ db, jwt: config.jwt, port: settings.port, host: settings.host, maxBodyBytes: settings.maxBodyBytes, derived, schemaOnStart: config.schemaOnStart });
  } catch (err) {
    await ownDb?.close();
    throw err;
  }
  // A gateway key for this run's followers (the gateway, spending, usage reports): it does not expire while
  // the process runs (a JWT would), needs no JWT secret, and is revoked when the process stops.
  const issued = settings.token ? undefined : await createKey(db, { kind: 'gateway', org: null, label: 'npm start: gateway and spending of this run' }, START_PUBLISHER);
  const token = settings.token ?? issued!.secret;
  const follow = { url: registry.url, token, pollMs: settings.pollMs };
  const treeNames = new Set(mods.map((m) => m.name));
  const derivedNames = new Set(derived.map((d) => d.name));
  const watches: RegistryWatch[] = [];
  const local: LocalRegistry = {
    url: registry.url,
    token,
    where: settings.pgliteDir === null ? 'schema registry of DATABASE_URL' : `PGlite in ${settings.pgliteDir}`,
    partners: [],
    async publishTree(running) {
      const candidates: Candidate[] = graphFolders(mods).map((f) => {
        const sdl = f.generatedSdl ?? readFileSync(f.source.schemaPath!, 'utf8');
        return { name: f.mod.name, routingUrl: running[f.mod.name].url, sdl, typeDefs: f.source.typeDefs };
      });
      const outcome = await publish(db, candidates, { publisher: START_PUBLISHER, allowBreaking: true, derived, usageDays: DEFAULT_USAGE_DAYS });
      const current = await currentVersions(db);
      local.partners = current.map((v) => v.name).filter((n) => !treeNames.has(n));
      if (outcome.status === 'not-composed') {
        throw new TreeDoesNotCompose(`this tree does not compose with what the registry at ${registry.url} (${local.where}) holds; nothing was published:\n${formatProblems(outcome.errors)}\n\n${removalHelp(settings, local.partners)}`);
      }
      if (local.partners.length) {
        // Spending was started with the tree's peers only; the supergraph expects it to merge the partners too.
        const peers = inTreeOrder(current.filter((v) => !derivedNames.has(v.name)).map((v) => ({ name: v.name, typeDefs: parse(v.sdl) })), mods);
        for (const mod of mods) if (mod.fromPeers) await running[mod.name].updatePeers(peers.filter((p) => p.name !== mod.name));
      }
      return registrySupergraph({ ...follow, cachePath: settings.cachePath, probeTimeoutMs: settings.probeTimeoutMs });
    },
    followPeers(running) {
      for (const mod of mods) {
        if (!mod.fromPeers) continue;
        const target = running[mod.name];
        // The follower lists peers by name; the tree's order keeps the merged category order `npm run compose` gives.
        const inOrder: RunningSubgraph = { ...target, updatePeers: (peers) => target.updatePeers(inTreeOrder(peers, mods)) };
        watches.push(followPeers(inOrder, { ...follow, fromPeers: true }));
      }
    },
    async stop() {
      for (const w of watches) w.stop();
      if (issued) await revokeKey(db, issued.key.id, START_PUBLISHER).catch(() => undefined);
      await registry.stop();
      await ownDb?.close();
    },
  };
  return local;
}
