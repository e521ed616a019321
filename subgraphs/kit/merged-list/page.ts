/**
 * One page of a list merged across contributors, in the one order every merged list uses: newest first,
 * ties broken by the item's globally unique id in byte order (as `COLLATE "C"` sorts it). Each
 * contributor sends at most first+1 items after the shared cursor in that order; the merge keeps the
 * first `first`, so a page is the same whichever contributor an item came from, and a boundary between
 * pages neither drops nor repeats an item, also among items with the same time.
 */
import { toConnection } from '../pagination';
import { parseDecimalToFen } from '../../../platform/money';

/** What the shared order reads of an item. */
export interface TimeOrdered {
  occurredAt: Date;
  /** Globally unique and stable (`<subgraph>:<kind>:<id>`): the tie-breaker. */
  id: string;
}

/** Compares two items in the shared order: newer first, then id descending (byte order, as `COLLATE "C"`). */
export function compareTimeOrdered(a: TimeOrdered, b: TimeOrdered): number {
  const dt = b.occurredAt.getTime() - a.occurredAt.getTime();
  if (dt !== 0) return dt;
  return a.id === b.id ? 0 : Buffer.compare(Buffer.from(b.id), Buffer.from(a.id));
}

/** Merges every contributor's first+1 items into one page (an item's cursor is its place in the shared order). */
export function mergeTimePage<T extends TimeOrdered>(contributions: Iterable<readonly T[]>, first: number) {
  const all = ([] as T[]).concat(...contributions).sort(compareTimeOrdered);
  return toConnection(all, first, (item) => [item.occurredAt, item.id]);
}

/** The SQL keyset condition and order of a page in the shared order, over columns `occurred_at` and `idCol`. */
export function timeOrderSql(idCol: string, atParam: number, idParam: number): { after: string; orderBy: string } {
  return {
    after: `($${atParam}::timestamptz IS NULL OR (occurred_at, ${idCol} COLLATE "C") < ($${atParam}::timestamptz, $${idParam}::text COLLATE "C"))`,
    orderBy: `occurred_at DESC, ${idCol} COLLATE "C" DESC`,
  };
}

/** `fn` remembered per representation object (which lives for one request): every derived field of one page reads one merge. */
export function oncePerRepresentation<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const memo = new WeakMap<K, V>();
  return (key) => {
    if (!memo.has(key)) memo.set(key, fn(key));
    return memo.get(key)!;
  };
}

/** A contributor's amount (a Decimal string or bigint fen on the wire); a malformed one is the contributor's fault, never the client's input error. */
export function wireFen(amount: string | bigint): bigint {
  if (typeof amount === 'bigint') return amount;
  try {
    return parseDecimalToFen(amount);
  } catch {
    throw new Error(`contribution amount is not a two-digit decimal: ${amount}`);
  }
}
