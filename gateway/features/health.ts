/**
 * Feature: health. `GET /health` answers 200 while the gateway serves a supergraph (liveness);
 * `GET /health/subgraphs` answers 200 only when every subgraph of the supergraph being served answers
 * its own `/health` (which checks its database), else 503 naming the ones that do not (readiness);
 * `GET /health/supergraph` says which supergraph is served, since when, and the last one refused and why
 * (and, following the registry, whether it answers and whether the gateway started from its cache).
 */
import { sendJson } from '../../platform/http';
import type { GatewayFeature } from '../feature';

/** How long one subgraph's `/health` may take before it counts as unreachable. */
const SUBGRAPH_CHECK_TIMEOUT_MS = 2000;

/** Asks one subgraph's `/health`. */
async function checkSubgraph(name: string, endpoint: string): Promise<{ name: string; status: string }> {
  try {
    const res = await fetch(new URL('/health', endpoint), { signal: AbortSignal.timeout(SUBGRAPH_CHECK_TIMEOUT_MS) });
    const body = (await res.json().catch(() => ({}))) as { status?: string };
    return { name, status: res.ok ? 'ok' : (body.status ?? `HTTP ${res.status}`) };
  } catch (err) {
    return { name, status: `unreachable (${(err as Error).name === 'TimeoutError' ? 'timeout' : (err as Error).message})` };
  }
}

export function healthFeature(): GatewayFeature {
  return {
    name: 'health',
    routes: (gateway) => ({
      '/health': (_req, res) => sendJson(res, gateway.ready ? 200 : 503, { status: gateway.ready ? 'ok' : gateway.stopping ? 'stopping' : 'starting' }),
      '/health/subgraphs': async (_req, res) => {
        const checks = await Promise.all([...gateway.subgraphEndpoints()].map(([name, endpoint]) => checkSubgraph(name, endpoint)));
        const healthy = gateway.ready && checks.every((c) => c.status === 'ok');
        sendJson(res, healthy ? 200 : 503, { status: healthy ? 'ok' : gateway.stopping ? 'stopping' : 'degraded', subgraphs: Object.fromEntries(checks.map((c) => [c.name, c.status])) });
      },
      '/health/supergraph': (_req, res) => {
        const supergraph = gateway.supergraph();
        const { current, lastRefusal } = supergraph;
        // "refused" while the newest supergraph offered was refused: the previous one is still served.
        const refusedLatest = lastRefusal !== null && (current === null || lastRefusal.at >= current.loadedAt);
        sendJson(res, gateway.ready ? 200 : 503, { status: gateway.ready ? (refusedLatest ? 'refused' : 'ok') : 'starting', ...supergraph });
      },
    }),
  };
}
