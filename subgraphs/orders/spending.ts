/**
 * The merge side of the spending report: orders owns `User.spending`, contributes its own lines, and
 * derives totals and pages from every contributor's internal fields (`@requires`).
 */
import { realUserId, requireReadUser, shouldPseudonymise, type UserRef } from '../kit/auth';
import { personOf } from './users';
import { money } from '../../platform/money';
import type { SubgraphContext } from '../kit/subgraph';
import type { SpendingLinePageRef, SpendingReportRef } from '../kit/contributor';
import {
  bucketFromWire,
  checkPageSize,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  lineFromWire,
  mergePage,
  parsePeriod,
  periodKey,
  summarise,
  type SpendingBucket,
  type SpendingLine,
} from '../kit/spending';
import type { OrdersLoaders } from './loaders';

/** The subgraphs whose contributions orders merges (besides its own). */
export const CONTRIBUTORS = ['finance', 'aftermarket', 'energy'] as const;

type Ctx = SubgraphContext<OrdersLoaders>;
type WireBucket = Parameters<typeof bucketFromWire>[0];
type WireLine = Parameters<typeof lineFromWire>[0];
type ReportRep = SpendingReportRef & Partial<Record<`${(typeof CONTRIBUTORS)[number]}Buckets`, WireBucket[]>>;
type PageRep = SpendingLinePageRef & Partial<Record<`${(typeof CONTRIBUTORS)[number]}Lines`, WireLine[]>>;

/**
 * The report (or page) with its real user id. Its key `userId` is the id the caller sees (a pseudonym
 * for analysts, so no key an analyst can select holds a real id); contributors get the real one as the
 * inaccessible `internalUserId`, and orders, when the gateway hands the entity back, looks it up.
 */
async function withRealUser<R extends SpendingReportRef>(rep: R, ctx: Ctx): Promise<R & { internalUserId: string }> {
  const person = await personOf(ctx.identity, ctx.loaders, rep.userId);
  if (!person) throw new Error('a spending report of nobody');
  requireReadUser(ctx.identity, person.internalId);
  return { ...rep, internalUserId: person.internalId };
}

async function allBuckets(rep: ReportRep, ctx: Ctx): Promise<SpendingBucket[]> {
  const own = await ctx.loaders.spending.buckets.load({ userId: rep.internalUserId!, period: rep.period });
  const others = CONTRIBUTORS.flatMap((name) => (rep[`${name}Buckets`] ?? []).map(bucketFromWire));
  return [...own, ...others];
}

/** What an analyst reads of a trade-in credit line: not the description of the car its owner wrote. */
const ANALYST_TRADE_IN_DESCRIPTION = 'Trade-in credit';

async function page(rep: PageRep, ctx: Ctx) {
  const first = checkPageSize(rep.first);
  let own = await ctx.loaders.spending.lines.load({ ...rep, userId: rep.internalUserId! });
  if (shouldPseudonymise(ctx.identity)) {
    own = own.map((l) => (l.category === 'TRADE_IN_CREDIT' ? { ...l, description: ANALYST_TRADE_IN_DESCRIPTION } : l));
  }
  const others: SpendingLine[][] = CONTRIBUTORS.map((name) => (rep[`${name}Lines`] ?? []).map((l) => lineFromWire(l, rep.internalUserId!)));
  return mergePage([own, ...others], first);
}

export const spendingResolvers = {
  User: {
    spending(user: UserRef, args: { from?: Date | null; to?: Date | null }, ctx: Ctx) {
      const internalUserId = realUserId(ctx.identity, user);
      requireReadUser(ctx.identity, internalUserId);
      return { userId: user.id, internalUserId, period: periodKey(args.from, args.to) };
    },
  },
  SpendingReport: {
    // Returns the whole representation: the @requires'd contributions arrive in it.
    __resolveReference(rep: ReportRep, ctx: Ctx) {
      parsePeriod(rep.period);
      return withRealUser(rep, ctx);
    },
    from: (rep: ReportRep) => parsePeriod(rep.period).from,
    to: (rep: ReportRep) => parsePeriod(rep.period).to,
    total: async (rep: ReportRep, _a: unknown, ctx: Ctx) => summarise(await allBuckets(rep, ctx)).total,
    byCategory: async (rep: ReportRep, _a: unknown, ctx: Ctx) => summarise(await allBuckets(rep, ctx)).byCategory,
    byMonth: async (rep: ReportRep, _a: unknown, ctx: Ctx) => summarise(await allBuckets(rep, ctx)).byMonth,
    lineCount: async (rep: ReportRep, _a: unknown, ctx: Ctx) => summarise(await allBuckets(rep, ctx)).lineCount,
    lines(rep: ReportRep, args: { first?: number | null; after?: string | null }) {
      const first = checkPageSize(args.first ?? DEFAULT_PAGE_SIZE);
      const after = args.after ?? '';
      decodeCursor(after); // refuse a bad cursor here, before any subgraph is asked
      return { userId: rep.userId, internalUserId: rep.internalUserId, period: rep.period, first, after };
    },
  },
  SpendingLinePage: {
    __resolveReference: (rep: PageRep, ctx: Ctx) => withRealUser(rep, ctx),
    edges: async (rep: PageRep, _a: unknown, ctx: Ctx) => (await page(rep, ctx)).edges,
    pageInfo: async (rep: PageRep, _a: unknown, ctx: Ctx) => (await page(rep, ctx)).pageInfo,
  },
  SpendingLine: {
    amount: (line: SpendingLine) => money(line.amount),
    // Orders' own subjects are resolved here, in the same fetch, so they are loaded (batched) as whole rows;
    // the others are references the gateway resolves in their owning subgraph.
    async paidFor(line: SpendingLine, _a: unknown, ctx: Ctx) {
      if (line.subjectType === 'Order') {
        const order = await ctx.loaders.order.load(line.subjectId);
        return order && { ...order, __typename: 'Order' };
      }
      if (line.subjectType === 'TradeIn') {
        const tradeIn = await ctx.loaders.tradeIn.load(line.subjectId);
        return tradeIn && { ...tradeIn, __typename: 'TradeIn' };
      }
      return { __typename: line.subjectType, id: line.subjectId };
    },
  },
  SpendingSubject: {
    __resolveType: (ref: { __typename: string }) => ref.__typename,
  },
};
