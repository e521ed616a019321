/**
 * The whole graph in one process: one database (each subgraph in its own schema), five subgraphs and
 * the gateway. `npm start` and the end-to-end tests both run through here.
 */
import { subgraphs as discovered } from '../subgraphs';
import { peerSchemas, type SubgraphModule } from '../subgraphs/kit/module';
import type { Db } from '../subgraphs/kit/db';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';
import { startGateway, type RunningGateway } from '../gateway/server';
import type { JwtSettings } from '../gateway/auth';
import type { OperationLimits } from '../platform/limits';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';

export interface StackOptions {
  db: Db;
  supergraphSdl: string;
  jwt: JwtSettings;
  internalSecret: string;
  host?: string;
  gatewayPort: number;
  /** Port per subgraph; 0 picks a free port. */
  subgraphPorts: Record<string, number>;
  /** The subgraphs to run (default: every folder under subgraphs/). */
  subgraphs?: readonly SubgraphModule<any>[];
  maxBodyBytes: number;
  development: boolean;
  /** The explorer hands out demo-driver tokens (see the config's `demoTokens`). */
  demoTokens?: boolean;
  /** `extensions.stacktrace` in error responses (INCLUDE_STACKTRACE). */
  includeStacktrace?: boolean;
  /** Serve the explorer (default: in development). */
  explorer?: boolean;
  /** Whether clients may introspect the schema; defaults to `development`. */
  introspection?: boolean;
  persistedQueries?: KeyValueCache<string>;
  limits?: OperationLimits;
  subgraphTimeoutMs?: number;
}

export interface RunningStack {
  gateway: RunningGateway;
  subgraphs: Record<string, RunningSubgraph>;
  stop(): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<RunningStack> {
  // Filled in as each subgraph starts; service calls happen only at request time, after all are up.
  const urls: Record<string, string> = {};
  const subgraphs: Record<string, RunningSubgraph> = {};
  const mods = opts.subgraphs ?? discovered();
  const peers = peerSchemas(mods);
  try {
    for (const mod of mods) {
      const name = mod.name;
      subgraphs[name] = await startSubgraph(mod, {
        db: opts.db,
        internalSecret: opts.internalSecret,
        subgraphUrls: urls,
        peers,
        port: opts.subgraphPorts[name] ?? 0,
        host: opts.host,
        includeStacktrace: opts.includeStacktrace,
        limits: opts.limits,
      });
      urls[name] = subgraphs[name].url;
    }
    const gateway = await startGateway({
      supergraphSdl: opts.supergraphSdl,
      jwt: opts.jwt,
      internalSecret: opts.internalSecret,
      subgraphUrls: urls,
      port: opts.gatewayPort,
      host: opts.host,
      maxBodyBytes: opts.maxBodyBytes,
      development: opts.development,
      demoTokens: opts.demoTokens,
      includeStacktrace: opts.includeStacktrace,
      explorer: opts.explorer,
      introspection: opts.introspection,
      persistedQueries: opts.persistedQueries,
      limits: opts.limits,
      subgraphTimeoutMs: opts.subgraphTimeoutMs,
    });
    return {
      gateway,
      subgraphs,
      async stop() {
        await gateway.stop();
        await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(Object.values(subgraphs).map((s) => s.stop().catch(() => undefined)));
    throw err;
  }
}
