/**
 * The graph's spending-report contract, as a contributor must follow it (the graph's README, "How the
 * report is composed"). The graph's spending subgraph merges every contributor's part:
 *   - `insurerBuckets` on `SpendingReport @key(fields: "userId period")`: sums per category and month;
 *   - `insurerLines` on `SpendingLinePage @key(fields: "userId period first after")`: at most `first + 1`
 *     lines strictly after the cursor, in the one order every contributor uses — time descending, then
 *     line id descending in byte order — so the merged page is cut correctly.
 * Both are read with `internalUserId` (the real user, resolved by the graph and taken with `@requires`),
 * never with `userId`, which for an analyst is a pseudonym.
 */
import { GraphQLError } from 'graphql';
import type { Period } from './store';

/** The insurer's category value in `enum SpendingCategory` (its own: the graph's finance has INSURANCE). */
export const CATEGORY = 'INSURER_PREMIUM';
/** The type its lines pay for (`union SpendingSubject`). */
export const SUBJECT_TYPE = 'InsurerPremium';
/** Largest page the graph asks for. */
export const MAX_FIRST = 100;

export const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });

/** A period key: `"all"`, or `"<fromISO>..<toISO>"` (either side empty when open), exactly as the graph writes it. */
export function parsePeriod(key: string): Period {
  if (key === 'all') return { from: null, to: null };
  const m = /^(.*?)\.\.(.*)$/.exec(key);
  if (!m) throw badInput(`bad period "${key.slice(0, 80)}": expected "all" or "<from>..<to>"`);
  const side = (s: string): Date | null => {
    if (s === '') return null;
    const d = new Date(s);
    if (Number.isNaN(d.getTime()) || d.toISOString() !== s) throw badInput(`bad period "${key.slice(0, 80)}"`);
    return d;
  };
  return { from: side(m[1]), to: side(m[2]) };
}

/** The page size of a line page: a whole number from 1 to MAX_FIRST. */
export function readFirst(first: unknown): number {
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 1 || first > MAX_FIRST) throw badInput(`\`first\` must be between 1 and ${MAX_FIRST}`);
  return first;
}

/**
 * The graph's cursor: base64url of the JSON array `[occurredAtISO, lineId]`; empty means "from the
 * newest line". The same encoding serves this subgraph's own policy list (`[startsAtISO, policyId]`).
 */
export function decodeCursor(cursor: string | null | undefined): { at: Date; id: string } | null {
  if (!cursor) return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badInput('`after` is not a cursor of this list');
  }
  if (!Array.isArray(key) || key.length !== 2 || typeof key[0] !== 'string' || typeof key[1] !== 'string' || key[1].length > 200 || key[1].includes('\u0000')) {
    throw badInput('`after` is not a cursor of this list');
  }
  const at = new Date(key[0]);
  if (Number.isNaN(at.getTime()) || at.toISOString() !== key[0]) throw badInput('`after` is not a cursor of this list');
  return { at, id: key[1] };
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');
}
