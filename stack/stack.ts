/**
 * The whole graph in one process: one database (each subgraph in its own schema), five subgraphs and
 * the gateway. `npm start` and the end-to-end tests both run through here.
 */
import { subgraphs as discovered } from '../subgraphs';
import { peerSchemas, type SubgraphModule } from '../subgraphs/kit/module';
import type { Db } from '../platform/db';
import type { SchemaOnStart } from '../platform/schema-on-start';
import { startSubgraph, type RunningSubgraph } from '../subgraphs/kit/subgraph';
import { startGateway, type RunningGateway } from '../gateway/server';
import type { GatewayFeature } from '../gateway/feature';
import type { SupergraphSource } from '../gateway/supergraph-source';
import type { OperationLimits } from '../platform/limits';
import { generateSigningKey, type SigningKey } from '../platform/signing-keys';
import type { SubgraphIdentityOptions } from '../subgraphs/kit/caller';

export interface StackOptions {
  db: Db;
  /**
   * What the gateway serves (`fileSupergraph`, `staticSupergraph`), or a function giving it once the
   * subgraphs are up (`npm start` publishes them at their actual URLs to its registry, then follows it).
   */
  supergraph: SupergraphSource | ((subgraphs: Readonly<Record<string, RunningSubgraph>>) => Promise<SupergraphSource>);
  /** The gateway's features (`gatewayFeatures(config)`). */
  features: readonly GatewayFeature[];
  /** The gateway's token issuer and public keys (`gatewayPublicKeys` of its settings): the subgraphs verify callers with them. */
  gatewayKeys: SubgraphIdentityOptions['gateway'];
  host?: string;
  gatewayPort: number;
  /** Port per subgraph; 0 picks a free port. */
  subgraphPorts: Record<string, number>;
  /** The subgraphs to run (default: every folder under subgraphs/). */
  subgraphs?: readonly SubgraphModule<any>[];
  maxBodyBytes: number;
  /** `extensions.stacktrace` in the subgraphs' error responses (INCLUDE_STACKTRACE). */
  includeStacktrace?: boolean;
  /** The gateway's limits; each subgraph adds room on top. */
  limits?: OperationLimits;
  /** The bearer token each subgraph's `/metrics` asks for (METRICS_TOKEN); unset: loopback callers only. */
  metricsToken?: string;
  /** How long a service call between subgraphs may take (SUBGRAPH_TIMEOUT_MS). */
  serviceCallTimeoutMs?: number;
  /** False: subgraphs' background work runs only when asked (test graphs); default true. */
  scheduledBackground?: boolean;
  /** Each subgraph migrates its schema at start, or only checks its version; default: migrate. */
  schemaOnStart?: SchemaOnStart;
}

export interface RunningStack {
  gateway: RunningGateway;
  subgraphs: Record<string, RunningSubgraph>;
  /**
   * How a subgraph of this process verifies callers and signs its calls: the gateway's keys, and a key of
   * its own per subgraph name (generated in memory, the same for a subgraph started again), its peers'
   * public keys known in process. A fixture subgraph a test starts beside the stack uses it too.
   */
  identityFor(name: string): SubgraphIdentityOptions;
  /** Stops the gateway (readiness 503 for `delayMs`, then its requests drained), then the subgraphs (drained). */
  stop(opts?: { delayMs?: number; drainMs?: number }): Promise<void>;
}

export async function startStack(opts: StackOptions): Promise<RunningStack> {
  // Filled in as each subgraph starts; service calls happen only at request time, after all are up.
  const urls: Record<string, string> = {};
  const subgraphs: Record<string, RunningSubgraph> = {};
  const mods = opts.subgraphs ?? discovered();
  const peers = peerSchemas(mods);
  // One process: each subgraph's key is held here, and its peers are given its public half directly.
  const serviceKeys = new Map<string, SigningKey>();
  const serviceKeyOf = (name: string) => serviceKeys.get(name) ?? (serviceKeys.set(name, generateSigningKey()), serviceKeys.get(name)!);
  const identityFor = (name: string): SubgraphIdentityOptions => ({
    gateway: opts.gatewayKeys,
    serviceKey: serviceKeyOf(name),
    peerKeys: (peer) => (serviceKeys.has(peer) ? { jwks: { keys: [serviceKeys.get(peer)!.publicJwk] } } : undefined),
  });
  try {
    for (const mod of mods) {
      const name = mod.name;
      subgraphs[name] = await startSubgraph(mod, {
        db: opts.db,
        identity: identityFor(name),
        subgraphUrls: urls,
        peers,
        port: opts.subgraphPorts[name] ?? 0,
        host: opts.host,
        includeStacktrace: opts.includeStacktrace,
        limits: opts.limits,
        metricsToken: opts.metricsToken,
        serviceCallTimeoutMs: opts.serviceCallTimeoutMs,
        scheduledBackground: opts.scheduledBackground,
        schemaOnStart: opts.schemaOnStart,
      });
      urls[name] = subgraphs[name].url;
    }
    const supergraph = typeof opts.supergraph === 'function' ? await opts.supergraph(subgraphs) : opts.supergraph;
    const gateway = await startGateway({ supergraph, features: opts.features, subgraphUrls: urls, port: opts.gatewayPort, host: opts.host, maxBodyBytes: opts.maxBodyBytes });
    return {
      gateway,
      subgraphs,
      identityFor,
      async stop({ delayMs = 0, drainMs = 0 } = {}) {
        await gateway.stop({ delayMs, drainMs });
        await Promise.all(Object.values(subgraphs).map((s) => s.stop({ drainMs })));
      },
    };
  } catch (err) {
    await Promise.all(Object.values(subgraphs).map((s) => s.stop().catch(() => undefined)));
    throw err;
  }
}
