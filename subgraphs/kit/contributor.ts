/**
 * Resolvers every spending contributor shares: the entity references of `SpendingReport` and
 * `SpendingLinePage`, answered from the subgraph's own `spending_lines` view with one statement per
 * request (DataLoader batches every user of a period into one query).
 */
import DataLoader from 'dataloader';
import type { Db } from '../../platform/db';
import { realUserId, requireReadUser, shouldPseudonymise } from './auth';
import type { Identity } from '../../platform/identity';
import { loadBuckets, loadLines, parsePeriod, type SpendingBucket, type SpendingLine } from './spending';
import { readTimePage } from './pagination';
import { formatFen } from '../../platform/money';

export interface SpendingReportRef {
  /** The user as the caller sees them: a pseudonym for analysts. */
  userId: string;
  period: string;
  /**
   * The real user id (inaccessible to clients), resolved by orders; contributors take it with
   * `@requires(fields: "internalUserId")` and read their rows with it, never with `userId`.
   */
  internalUserId?: string;
}
export interface SpendingLinePageRef extends SpendingReportRef {
  first: number;
  after: string;
}

/** Per-request loaders over one subgraph's `spending_lines` view. */
export function createSpendingLoaders(db: Db, schema: string) {
  return {
    buckets: new DataLoader<SpendingReportRef, SpendingBucket[], string>(
      // Keyed by the real user id: callers pass `internalUserId` as `userId`.
      async (refs) => {
        const byPeriod = new Map<string, string[]>();
        for (const r of refs) byPeriod.set(r.period, [...(byPeriod.get(r.period) ?? []), r.userId]);
        const results = new Map<string, SpendingBucket[]>();
        for (const [period, userIds] of byPeriod) {
          const loaded = await loadBuckets(db, schema, [...new Set(userIds)], parsePeriod(period));
          for (const [userId, buckets] of loaded) results.set(`${period}\u0000${userId}`, buckets);
        }
        return refs.map((r) => results.get(`${r.period}\u0000${r.userId}`) ?? []);
      },
      { cacheKeyFn: (r) => `${r.period}\u0000${r.userId}` },
    ),
    lines: new DataLoader<SpendingLinePageRef, SpendingLine[], string>(
      (refs) =>
        Promise.all(
          refs.map((r) => {
            const { limit, after } = readTimePage({ first: r.first, after: r.after });
            return loadLines(db, schema, r.userId, parsePeriod(r.period), after, limit + 1);
          }),
        ),
      { cacheKeyFn: (r) => `${r.period}\u0000${r.userId}\u0000${r.first}\u0000${r.after}` },
    ),
  };
}
export type SpendingLoaders = ReturnType<typeof createSpendingLoaders>;

/** Wire shape of a bucket in the internal `<name>Buckets` fields. */
export function bucketToWire(b: SpendingBucket) {
  return { category: b.category, month: b.month, amount: b.amount, lineCount: b.lineCount };
}

/** Wire shape of a line in the internal `<name>Lines` fields. */
export function lineToWire(l: SpendingLine) {
  return { id: l.id, occurredAt: l.occurredAt, category: l.category, description: l.description, amount: l.amount, subjectType: l.subjectType, subjectId: l.subjectId };
}

interface WithSpending {
  identity: Identity | null;
  loaders: { spending: SpendingLoaders };
}

/**
 * The resolvers a contributing subgraph adds for its `<name>Buckets` and `<name>Lines` fields;
 * `forAnalysts` rewrites a line for a pseudonymised caller.
 * Authorization happens here, in the subgraph that owns the data: only the user, an analyst, an admin
 * or another subgraph may read a user's spending.
 */
export function spendingContributorResolvers(name: string, opts: { forAnalysts?: (line: SpendingLine) => SpendingLine } = {}) {
  return {
    SpendingReport: {
      __resolveReference(ref: SpendingReportRef, ctx: WithSpending) {
        readableUserId(ref, ctx);
        parsePeriod(ref.period);
        return ref;
      },
      [`${name}Buckets`]: async (ref: SpendingReportRef, _args: unknown, ctx: WithSpending) =>
        (await ctx.loaders.spending.buckets.load({ userId: readableUserId(ref, ctx), period: ref.period })).map(bucketToWire),
    },
    SpendingLinePage: {
      __resolveReference(ref: SpendingLinePageRef, ctx: WithSpending) {
        readableUserId(ref, ctx);
        return ref;
      },
      [`${name}Lines`]: async (ref: SpendingLinePageRef, _args: unknown, ctx: WithSpending) => {
        const lines = await ctx.loaders.spending.lines.load({ ...ref, userId: readableUserId(ref, ctx) });
        // Analysts read lines without what the owner wrote or where they went (the contributor knows which).
        const shown = opts.forAnalysts && shouldPseudonymise(ctx.identity) ? lines.map(opts.forAnalysts) : lines;
        return shown.map(lineToWire);
      },
    },
  };
}

/**
 * The real user whose merged list (spending, timeline) `ref` is, once the caller may read it. The gateway sends it as
 * `internalUserId` (@requires); a direct call without it names the user by `userId`, as `realUserId` does.
 */
export function readableUserId(ref: Pick<SpendingReportRef, 'userId' | 'internalUserId'>, ctx: { identity: Identity | null }): string {
  const userId = realUserId(ctx.identity, { id: ref.userId, internalId: ref.internalUserId });
  requireReadUser(ctx.identity, userId);
  return userId;
}

export { formatFen };
