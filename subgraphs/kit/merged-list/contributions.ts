/**
 * A list merged across contributors — the merger's side at run time: the contributions arrive in the
 * entity representation (the gateway fetched them because the derived fields `@requires` them).
 */
import { subgraphUnavailable } from '../../../platform/errors';
import type { Contributor, MergedPart } from './generate';

/**
 * Every contributor's part of `rep` that the plan required, in contributor order.
 *
 * A gateway sends a representation only when every field its plan `@requires` arrived (Apollo Gateway
 * drops the representation, and the derived field fails, when one is missing: its subgraph failed or timed
 * out), so a received representation without a contributor's field was planned on a supergraph in which
 * that contributor does not contribute — a gateway still on the supergraph from before the contributor
 * joined, or already on the one after it left, while this merger serves the other. Its money is not part
 * of that supergraph's answer, so it is left out; nothing is short for the graph the client is served.
 * A field that is there but not a list is a broken contributor: that fails the derived field.
 */
export function contributionsOf<T>(rep: Record<string, unknown>, contributors: readonly Contributor[], part: Pick<MergedPart, 'suffix'>): T[][] {
  return contributors.map((c) => {
    const field = `${c.name}${part.suffix}`;
    if (!Object.prototype.hasOwnProperty.call(rep, field) || rep[field] === undefined) return [];
    const value = rep[field];
    if (!Array.isArray(value)) {
      throw subgraphUnavailable(c.name, `the ${c.name} subgraph's part is unavailable right now, so this cannot be answered exactly; try again`);
    }
    return value as T[];
  });
}

/** Category values in the order the merged enum lists them. */
export function categoryOrder(contributors: readonly Contributor[]): string[] {
  return [...new Set(contributors.flatMap((c) => c.categories.map((v) => v.name.value)))];
}
