/**
 * The gateways the bench compares, each a process of its own in front of the same subgraph processes and
 * supergraph file: the peers with only their identity glue (this folder), and ours (`scripts/gateway.ts`)
 * as deployed, with its features configured by the environment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type WorkloadName = 'headline' | 'catalog';

export interface Target {
  /** What `--only` takes. */
  id: string;
  label: string;
  script: string;
  /** Variables over the stack's shared ones. */
  env?: Record<string, string>;
  /** Ours with the response cache: its Redis is emptied before, and one pass fills it before the timed run. */
  redis?: boolean;
  /** Only these workloads (default: all). */
  workloads?: WorkloadName[];
  /** node's own flags for the process (ours: those `npm run gateway` gives it). */
  nodeFlags?: readonly string[];
}

/**
 * The node flags of `npm run gateway` (package.json), so the bench runs ours as deployed: its heap bound,
 * `--max-old-space-size`, is what keeps its peak RSS down under load (V8 otherwise lets the old space grow
 * with the allocation rate long before it collects; the live heap is far smaller).
 */
export function deployedGatewayFlags(script: string): string[] {
  const words = script.trim().split(/\s+/);
  if (words[0] !== 'node') throw new Error(`package.json's "gateway" script must start with node (its flags are the deployment's), not: ${script}`);
  return words.slice(1).filter((w) => /^--max-(old|semi)-space-size=\d+$/.test(w));
}
const GATEWAY_FLAGS = deployedGatewayFlags((JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.gateway);

/**
 * Ours with its rate limits out of the way: the bench is one address sending what thousands of clients
 * would, which the default anonymous limit (300 a minute per address) rightly refuses. Everything else
 * — demand control, trusted documents' lookups, batching, dedup — stays as deployed.
 */
const UNLIMITED = { RATE_LIMITS: 'anonymous=1000000000/1s,anonymous-address=1000000000/1s,customer=1000000000/1s' };

export const TARGETS: readonly Target[] = [
  { id: 'a', label: '(a) Apollo Gateway + Apollo Server (standalone)', script: 'scripts/bench/apollo.ts' },
  { id: 'b', label: '(b) Hive Gateway', script: 'scripts/bench/hive.ts' },
  { id: 'c', label: '(c) Hive Gateway, Rust query planner', script: 'scripts/bench/hive-rust.ts' },
  { id: 'd', label: '(d) ours, RESPONSE_CACHE=false', script: 'scripts/gateway.ts', env: { ...UNLIMITED, RESPONSE_CACHE: 'false' }, nodeFlags: GATEWAY_FLAGS },
  { id: 'e', label: '(e) ours, response cache in Redis and near cache (warmed)', script: 'scripts/gateway.ts', env: { ...UNLIMITED, RESPONSE_CACHE: 'true' }, redis: true, nodeFlags: GATEWAY_FLAGS },
  // The in-flight deduplication comparison: (d) has it on (the default); this is (d) without it.
  { id: 'd-nodedup', label: "(d') ours, RESPONSE_CACHE=false, INFLIGHT_DEDUP=false", script: 'scripts/gateway.ts', env: { ...UNLIMITED, RESPONSE_CACHE: 'false', INFLIGHT_DEDUP: 'false' }, workloads: ['catalog'], nodeFlags: GATEWAY_FLAGS },
  // The near cache comparison: (e) has it on (the default with REDIS_URL); this is (e) reading Redis for every hit.
  { id: 'e-nonear', label: "(e') ours, response cache in Redis, RESPONSE_CACHE_NEAR=false (warmed)", script: 'scripts/gateway.ts', env: { ...UNLIMITED, RESPONSE_CACHE: 'true', RESPONSE_CACHE_NEAR: 'false' }, redis: true, workloads: ['catalog'], nodeFlags: GATEWAY_FLAGS },
];

/** The targets `--only a,b,...` names (all when not given); an unknown id is an error naming the known ones. */
export function selectTargets(only: string | undefined): Target[] {
  if (!only) return [...TARGETS];
  const ids = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !TARGETS.some((t) => t.id === id));
  if (unknown.length || !ids.length) throw new Error(`--only ${JSON.stringify(only)}: unknown target ${unknown.join(', ') || '(none given)'}; the targets are ${TARGETS.map((t) => t.id).join(', ')}`);
  return TARGETS.filter((t) => ids.includes(t.id));
}
