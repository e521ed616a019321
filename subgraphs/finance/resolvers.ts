/**
 * The finance subgraph's resolver map: its part of the spending report (from the kit), reads in
 * `queries.ts`, writes in `mutations.ts` (access rules in `access.ts`, input checks in
 * `validation.ts`, SQL under `data/`).
 */
import { spendingContributorResolvers } from '../kit/contributor';
import { timelineContributorResolvers } from '../kit/timeline-contributor';
import { buyInsurance, openLoan, payInstalment } from './mutations';
import { queryResolvers } from './queries';
import { lifecycleFeedResolvers } from '../kit/lifecycle-feed';
import { LIFECYCLE_FEED_READERS, type FinanceContext } from './access';
import { quoteContributorResolvers } from '../kit/quote-contributor';
import { allProducts } from './data/insurance';
import { financeQuoteCosts } from './ownership-quote';

export const financeResolvers = {
  ...spendingContributorResolvers('finance'),
  ...timelineContributorResolvers('finance'),
  // Public: a quote reads only the products on offer.
  ...quoteContributorResolvers('finance', async (spec, facts, ctx: FinanceContext) => financeQuoteCosts(spec, facts, await allProducts(ctx.db))),
  ...queryResolvers,
  Query: { ...queryResolvers.Query, ...lifecycleFeedResolvers('finance', LIFECYCLE_FEED_READERS) },
  Mutation: { openLoan, payInstalment, buyInsurance },
};
