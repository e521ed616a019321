/**
 * The policy of a request's answer as a whole, narrowed by each of its subgraph fetches as they are
 * served: fresh until the earliest of its parts, private when any part is, and not storable at all
 * when one part is not (no hint, an error, a partner's subgraph, a mutation, no Redis). It is what the
 * whole-response cache stores the answer under, or why it does not.
 */
import type { RequestCacheState } from '../feature';

/** Narrows the request's whole policy by one part; `undefined`: a part that may not be stored. */
export function narrowWhole(state: RequestCacheState, part: { until: number; scope: 'PUBLIC' | 'PRIVATE' } | undefined): void {
  const whole = (state.whole ??= { until: Number.POSITIVE_INFINITY, private: false, uncacheable: false });
  if (!part) {
    whole.uncacheable = true;
    return;
  }
  whole.until = Math.min(whole.until, part.until);
  if (part.scope === 'PRIVATE') whole.private = true;
}
