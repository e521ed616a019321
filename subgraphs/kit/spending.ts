/**
 * "What has this car cost me?" — the shared mechanics of the spending report.
 *
 * Every subgraph that takes money from the owner defines one SQL view, `<schema>.spending_lines`,
 * with one row per fen-bearing event (see `SpendingLineRow`). From that view this module answers the
 * two internal contributions the orders subgraph merges:
 *   - `<name>Buckets` on `SpendingReport @key(fields: "userId period")`: sums per category and month;
 *   - `<name>Lines` on `SpendingLinePage @key(fields: "userId period first after")`: at most first+1
 *     lines after the shared cursor, in the one order every subgraph uses (occurredAt desc, id desc).
 * Each contribution is one SQL statement whatever the number of rows, and the merge adds bigints, so
 * every total equals the sum of the rows it came from.
 */
import type { Queryable } from '../../platform/db';
import { badInput } from '../../platform/errors';
import type { TimeKey } from './pagination';
import { fenFromDb, formatFen, money, type Money } from '../../platform/money';
import type { MergedListSpec } from './merged-list/generate';
import { compareTimeOrdered, mergeTimePage, timeOrderSql, wireFen } from './merged-list/page';

/**
 * A category of spending. Each contributing subgraph declares its own in its schema (`enum
 * SpendingCategory`); composition merges them, and the spending subgraph's enum is generated from them.
 */
export type SpendingCategory = string;

/** The spending report as a list merged across contributors (subgraphs/kit/merged-list). */
export const SPENDING_LIST: MergedListSpec = {
  parts: [
    { type: 'SpendingReport', suffix: 'Buckets', itemType: 'SpendingBucket', derived: ['total', 'byCategory', 'byMonth', 'lineCount'] },
    { type: 'SpendingLinePage', suffix: 'Lines', itemType: 'SpendingLineContribution', derived: ['edges', 'pageInfo'] },
  ],
  categoryEnum: 'SpendingCategory',
  subjectUnion: 'SpendingSubject',
  contributionRequires: 'internalUserId',
};

/** A period: `from` inclusive, `to` exclusive, either open. */
export interface Period {
  from: Date | null;
  to: Date | null;
}

/** The period's key value: `"all"`, or `"<fromISO>..<toISO>"` with either side empty when open. */
export function periodKey(from?: Date | null, to?: Date | null): string {
  if (!from && !to) return 'all';
  if (from && to && from.getTime() >= to.getTime()) throw badInput('`from` must be earlier than `to`', 'from');
  return `${from ? from.toISOString() : ''}..${to ? to.toISOString() : ''}`;
}

/** Parses a period key made by `periodKey`; refuses anything else. */
export function parsePeriod(key: string): Period {
  if (key === 'all') return { from: null, to: null };
  const m = /^(.*?)\.\.(.*)$/.exec(key);
  const parse = (s: string): Date | null => {
    if (s === '') return null;
    const d = new Date(s);
    if (Number.isNaN(d.getTime()) || d.toISOString() !== s) throw badInput(`bad period "${key.slice(0, 80)}"`);
    return d;
  };
  if (!m) throw badInput(`bad period "${key.slice(0, 80)}": expected "all" or "<from>..<to>"`);
  return { from: parse(m[1]), to: parse(m[2]) };
}

/** A row of a subgraph's `spending_lines` view. */
export interface SpendingLine {
  /** Globally unique and stable: `<subgraph>:<kind>:<id>`; the tie-breaker of the sort order. */
  id: string;
  userId: string;
  occurredAt: Date;
  category: SpendingCategory;
  description: string;
  amount: bigint;
  /** The GraphQL type of the entity this line paid for (`Order`, `ServiceInvoice`, ...) and its id. */
  subjectType: string;
  subjectId: string;
}

/** One (category, month) sum. */
export interface SpendingBucket {
  category: SpendingCategory;
  month: string;
  amount: bigint;
  lineCount: number;
}

function periodSql(first: number): string {
  return `($${first}::timestamptz IS NULL OR occurred_at >= $${first}::timestamptz) AND ($${first + 1}::timestamptz IS NULL OR occurred_at < $${first + 1}::timestamptz)`;
}

/** Buckets for several users at once (one statement): keyed by user id. */
export async function loadBuckets(q: Queryable, schema: string, userIds: readonly string[], period: Period): Promise<Map<string, SpendingBucket[]>> {
  const rows = await q.query<{ user_id: string; category: SpendingCategory; month: string; amount: string; n: string }>(
    `SELECT user_id, category, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
            sum(amount_fen)::text AS amount, count(*)::text AS n
       FROM ${schema}.spending_lines
      WHERE user_id = ANY($1::text[]) AND ${periodSql(2)}
      GROUP BY user_id, category, month
      ORDER BY user_id, month, category`,
    [userIds, period.from, period.to],
  );
  const out = new Map<string, SpendingBucket[]>(userIds.map((id) => [id, []]));
  for (const r of rows) out.get(r.user_id)?.push({ category: r.category, month: r.month, amount: fenFromDb(r.amount), lineCount: Number(r.n) });
  return out;
}

const ORDER = timeOrderSql('line_id', 4, 5);

/** At most `limit` lines of one user after `after`, newest first (one statement). */
export async function loadLines(q: Queryable, schema: string, userId: string, period: Period, after: TimeKey | null, limit: number): Promise<SpendingLine[]> {
  const rows = await q.query<{
    line_id: string;
    user_id: string;
    occurred_at: Date;
    category: SpendingCategory;
    description: string;
    amount_fen: string;
    subject_type: string;
    subject_id: string;
  }>(
    `SELECT line_id, user_id, occurred_at, category, description, amount_fen::text AS amount_fen, subject_type, subject_id
       FROM ${schema}.spending_lines
      WHERE user_id = $1 AND ${periodSql(2)}
        AND ${ORDER.after}
      ORDER BY ${ORDER.orderBy}
      LIMIT $6`,
    [userId, period.from, period.to, after?.at ?? null, after?.id ?? '', limit],
  );
  return rows.map((r) => ({
    id: r.line_id,
    userId: r.user_id,
    occurredAt: new Date(r.occurred_at),
    category: r.category,
    description: r.description,
    amount: fenFromDb(r.amount_fen),
    subjectType: r.subject_type,
    subjectId: r.subject_id,
  }));
}

/** Totals of a report, derived only from the buckets so they always add up; categories in `categoryOrder`. */
export function summarise(buckets: Iterable<SpendingBucket>, categoryOrder: readonly string[]) {
  let total = 0n;
  const byCategory = new Map<SpendingCategory, bigint>();
  const byMonth = new Map<string, bigint>();
  let lineCount = 0;
  for (const b of buckets) {
    total += b.amount;
    lineCount += b.lineCount;
    byCategory.set(b.category, (byCategory.get(b.category) ?? 0n) + b.amount);
    byMonth.set(b.month, (byMonth.get(b.month) ?? 0n) + b.amount);
  }
  return {
    total: money(total),
    lineCount,
    byCategory: [...byCategory.entries()].sort(([a], [b]) => rank(categoryOrder, a) - rank(categoryOrder, b)).map(([category, fen]) => ({ category, total: money(fen) })),
    byMonth: [...byMonth.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([month, fen]) => ({ month, total: money(fen) })),
  };
}

/** Position of a category in the order; one the order does not know sorts last (never dropped). */
function rank(order: readonly string[], category: string): number {
  const i = order.indexOf(category);
  return i < 0 ? order.length : i;
}

/** Compares two lines in the shared order of merged lists (kit/merged-list/page.ts). */
export const compareLines: (a: Pick<SpendingLine, 'occurredAt' | 'id'>, b: Pick<SpendingLine, 'occurredAt' | 'id'>) => number = compareTimeOrdered;

/** Merges every subgraph's first+1 lines into one page (a line's cursor is its place in the shared order). */
export const mergePage = (contributions: Iterable<readonly SpendingLine[]>, first: number) => mergeTimePage(contributions, first);

/** Wire form of a bucket/line in the internal contribution fields (amount as Decimal, i.e. bigint fen). */
export function bucketFromWire(b: { category: SpendingCategory; month: string; amount: string | bigint; lineCount: number }): SpendingBucket {
  return { ...b, amount: wireFen(b.amount) };
}

export function lineFromWire(l: { id: string; occurredAt: string | Date; category: SpendingCategory; description: string; amount: string | bigint; subjectType: string; subjectId: string }, userId: string): SpendingLine {
  return { ...l, userId, occurredAt: new Date(l.occurredAt), amount: wireFen(l.amount) };
}

export type { Money };
export { formatFen };
