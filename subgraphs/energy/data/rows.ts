/** What every energy SQL file shares: the raw row and date mapping (per-parent pages are the kit's `pagesByParent`). */

export type Raw = Record<string, unknown>;
export const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
