/**
 * The supergraph from the schema registry (REGISTRY_URL, `npm run gateway -- --registry URL`), followed
 * as it changes (`platform/registry-watch.ts`: the events stream, and polling as the fallback).
 *
 * A new supergraph is served only when every subgraph that is new or changed in it (its routing URL, or
 * its part of the supergraph, differs from the one served) answers `{ _service { sdl } }` with a schema
 * that has every field of its part. The probe goes through a data source the gateway makes for it
 * (`useProbe`: the features sign it as they sign every fetch, but it is not the data source serving
 * traffic, so a refused supergraph never moves where live requests go). A subgraph may still be
 * catching up (a peer-following merger regenerating its schema), so a failing probe is retried until
 * `probeTimeoutMs`. A supergraph that fails to parse or validate, or whose probe fails, is refused: the
 * last good one keeps serving, the reason is logged and shown in `/health/supergraph`, and it is tried
 * again later (the watcher's backoff).
 *
 * Every served supergraph is written to `cachePath` (beside it, then renamed: a crash never leaves half
 * a file). A gateway that starts while the registry is down, or has nothing published, starts from that
 * cache and says so; without one it does not start.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GetDataSourceFunction, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, type DocumentNode } from 'graphql';
import { logger } from '../platform/logger';
import { describeError, watchRegistry, type RegistryWatch } from '../platform/registry-watch';
import { SupergraphKeeper, supergraphId, type SupergraphSource, type SupergraphStatus } from './supergraph-source';
import { registryFetch } from '../platform/registry-http';

export interface RegistrySupergraphOptions {
  /** The registry's base URL. */
  url: string;
  token: string;
  pollMs: number;
  cachePath: string;
  /** How long a new or changed subgraph may take to serve its part (ms). */
  probeTimeoutMs: number;
  /** Polling only (tests of the fallback). */
  events?: boolean;
}

/** The registry could not give a first supergraph and there is no cache to start from. */
export class RegistryStartError extends Error {}

const PROBE_QUERY = '{ _service { sdl } }';
/**
 * A fetch the gateway makes on its own, not for a client's operation (no request context): Apollo's
 * `GraphQLDataSourceRequestKind.HEALTH_CHECK`, whose enum the package does not export.
 */
const probeRequest = () => ({ kind: 'health check', request: { query: PROBE_QUERY }, context: {} }) as unknown as GraphQLDataSourceProcessOptions;
/** How long the registry may take to answer at start-up before the cache is used. */
const START_TIMEOUT_MS = 5000;

/** One subgraph of a supergraph: where it is routed and its part (the text of the schema extracted for it). */
interface Part {
  url: string;
  text: string;
  /** Every field of its part by type (federation's own `_…` names left out: the subgraph library adds them). */
  fields: Map<string, Set<string>>;
}

function partsOf(sdl: string): Map<string, Part> {
  const parts = new Map<string, Part>();
  for (const sub of Supergraph.build(sdl).subgraphs().values()) {
    const fields = new Map<string, Set<string>>();
    for (const type of sub.schema.types()) {
      if ((type.kind !== 'ObjectType' && type.kind !== 'InterfaceType') || type.name.startsWith('_')) continue;
      fields.set(type.name, new Set(type.fields().map((f) => f.name).filter((n) => !n.startsWith('_'))));
    }
    parts.set(sub.name, { url: sub.url, text: sub.toString(), fields });
  }
  return parts;
}

/** The fields `part` has and the served SDL lacks, as `Type.field`. */
function missingFields(part: Part, served: DocumentNode): string[] {
  const have = new Map<string, Set<string>>();
  for (const def of served.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_EXTENSION) continue;
    const set = have.get(def.name.value) ?? new Set<string>();
    for (const f of def.fields ?? []) set.add(f.name.value);
    have.set(def.name.value, set);
  }
  const missing: string[] = [];
  for (const [type, fields] of part.fields) for (const f of fields) if (!have.get(type)?.has(f)) missing.push(`${type}.${f}`);
  return missing;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Asks one subgraph for its schema until it has every field of its part, or `timeoutMs` passes; returns the problem, or null. */
async function probe(getDataSource: GetDataSourceFunction, name: string, part: Part, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let problem = 'not tried';
  for (let attempt = 0; ; attempt++) {
    try {
      // A data source of the probe's own (the gateway applies `<NAME>_URL` overrides when making it).
      const source = getDataSource({ name, url: part.url });
      const response = await source.process(probeRequest());
      const sdl = (response.data as { _service?: { sdl?: unknown } } | undefined)?._service?.sdl;
      if (typeof sdl !== 'string') problem = `it answered no schema${response.errors?.[0] ? ` (${response.errors[0].message})` : ''}`;
      else {
        const missing = missingFields(part, parse(sdl));
        if (missing.length === 0) return null;
        problem = `it does not serve ${missing.length} field${missing.length === 1 ? '' : 's'} of its published schema: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`;
      }
    } catch (err) {
      problem = `it cannot be reached (${describeError(err)})`;
    }
    if (Date.now() + 250 > deadline) return `subgraph ${name} at ${part.url}: ${problem} (probed for ${timeoutMs} ms)`;
    // Short steps: a merger usually serves its new schema a few hundred ms after the registry announces it,
    // and each step of waiting past that is time the partner waits to see their publish live.
    await pause(Math.min(100 * 2 ** attempt, 400, Math.max(0, deadline - Date.now())));
  }
}

function writeCache(path: string, sdl: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, sdl);
    renameSync(tmp, path);
  } catch (err) {
    logger.warn({ service: 'gateway', cache: path, err: (err as Error).message }, 'the supergraph cache could not be written; a restart while the registry is down will not find it');
  }
}

function readCache(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The registry answered, but not with a supergraph (a refused token, an error). */
class RegistryAnswerError extends Error {}

/** The registry's current supergraph (`null`: nothing published yet); throws when the registry does not answer it. */
async function fetchCurrent(opts: RegistrySupergraphOptions, timeoutMs: number): Promise<{ id: string; sdl: string } | null> {
  const res = await registryFetch(opts.url, opts.token, '/v1/supergraph', { timeoutMs });
  if (res.status === 404) return null;
  const body = (await res.json().catch(() => ({}))) as { id?: string; sdl?: string; error?: { message?: string } };
  if (!res.ok) throw new RegistryAnswerError(`GET /v1/supergraph answered ${res.status}${body.error?.message ? `: ${body.error.message}` : ''}`);
  if (typeof body.sdl !== 'string') throw new RegistryAnswerError('GET /v1/supergraph answered without an sdl');
  return { id: supergraphId(body.sdl), sdl: body.sdl };
}

export function registrySupergraph(opts: RegistrySupergraphOptions): SupergraphSource {
  const keeper = new SupergraphKeeper(`registry ${opts.url}`);
  let watch: RegistryWatch | undefined;
  let served = new Map<string, Part>();
  let startedFromCache = false;

  /** Takes up the registry's current supergraph, or throws why not (the watcher tries again later). */
  let probeSource: GetDataSourceFunction | undefined;
  const takeUp = async () => {
    if (!probeSource) throw new Error('the registry supergraph source was not given the gateway\'s probe (startGateway gives it)');
    const getDataSource = probeSource;
    const current = await fetchCurrent(opts, 10_000);
    if (!current || current.id === keeper.status().current?.id) return;
    const refuse = (reason: string) => {
      keeper.refuse(current.id, reason);
      throw new Error(reason);
    };
    let parts: Map<string, Part>;
    try {
      parts = partsOf(current.sdl);
    } catch (err) {
      return refuse(`it is not a valid supergraph: ${(err as Error).message}`);
    }
    const changed = [...parts].filter(([name, part]) => served.get(name)?.url !== part.url || served.get(name)?.text !== part.text);
    const problems = (await Promise.all(changed.map(([name, part]) => probe(getDataSource, name, part, opts.probeTimeoutMs)))).filter((p) => p !== null);
    if (problems.length) return refuse(`a new or changed subgraph failed its probe: ${problems.join('; ')}`);
    if (!keeper.offer(current.sdl)) throw new Error(keeper.status().lastRefusal?.reason ?? 'refused');
    served = parts;
    writeCache(opts.cachePath, current.sdl);
  };

  return {
    useProbe(probe) {
      probeSource = probe;
    },
    async initialize({ update }) {
      keeper.attach(update);
      let first: string;
      let why: string | undefined;
      try {
        const current = await fetchCurrent(opts, START_TIMEOUT_MS);
        if (current) first = current.sdl;
        else why = 'nothing has been published to it yet';
      } catch (err) {
        why = err instanceof RegistryAnswerError ? `it refused (${err.message})` : `it cannot be reached (${describeError(err)})`;
      }
      if (why !== undefined) {
        const cached = readCache(opts.cachePath);
        if (cached === null) {
          throw new RegistryStartError(
            `the registry at ${opts.url} gives no supergraph: ${why}, and there is no cached supergraph at ${opts.cachePath}. Start the registry and publish the subgraphs (npm run schema -- publish …), or point SUPERGRAPH_CACHE_PATH at a cached supergraph`,
          );
        }
        first = cached;
        startedFromCache = true;
        logger.warn({ service: 'gateway', cache: opts.cachePath, supergraph: supergraphId(cached) }, `the registry at ${opts.url} gives no supergraph (${why}): serving the cached supergraph from ${opts.cachePath} until it does`);
      }
      const supergraphSdl = keeper.initial(first!);
      served = partsOf(supergraphSdl);
      if (!startedFromCache) writeCache(opts.cachePath, supergraphSdl);
      watch = watchRegistry({ url: opts.url, token: opts.token, pollMs: opts.pollMs, log: logger, service: 'gateway', events: opts.events, onChange: () => takeUp() });
      return {
        supergraphSdl,
        async cleanup() {
          watch?.stop();
        },
      };
    },
    status(): SupergraphStatus {
      const state = watch?.state();
      return {
        ...keeper.status(),
        registry: {
          url: opts.url,
          reachable: state?.reachable ?? false,
          streaming: state?.streaming ?? false,
          lastError: state?.lastError ?? null,
          startedFromCache,
          cachePath: opts.cachePath,
        },
      };
    },
  };
}
