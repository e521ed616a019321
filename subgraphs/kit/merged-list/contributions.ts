/**
 * A list merged across contributors — the merger's side at run time: the contributions arrive in the
 * entity representation (the gateway fetched them because the derived fields `@requires` them).
 */
import { subgraphUnavailable } from '../../../platform/errors';
import type { Contributor, MergedPart } from './generate';

/**
 * Every contributor's part of `rep`, in contributor order. A part that did not arrive (its subgraph failed
 * or timed out) fails the derived field instead of leaving that subgraph's money out of a total.
 */
export function contributionsOf<T>(rep: Record<string, unknown>, contributors: readonly Contributor[], part: Pick<MergedPart, 'suffix'>): T[][] {
  return contributors.map((c) => {
    const value = rep[`${c.name}${part.suffix}`];
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
