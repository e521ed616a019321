/**
 * Energy's resolver map, assembled: reads from `queries.ts`, writes from `mutations.ts`, and the
 * kit's spending contribution with its one energy-specific field. Access rules are in `access.ts`,
 * argument checks in `validation.ts`, SQL in `data/`, prices in `fees.ts`.
 */
import { shouldPseudonymise } from '../kit/auth';
import { timelineContributorResolvers } from '../kit/timeline-contributor';
import { quoteContributorResolvers } from '../kit/quote-contributor';
import { priceEnergyQuote } from './quote';
import { lineToWire, readableUserId, spendingContributorResolvers, type SpendingLinePageRef } from '../kit/contributor';
import { entityResolvers, Query } from './queries';
import { Mutation } from './mutations';
import { lifecycleFeedResolvers } from '../kit/lifecycle-feed';
import { LIFECYCLE_FEED_READERS, type Ctx } from './access';

/** The spending line of a charging session as an analyst sees it: without the location its description names. */
const ANALYST_CHARGING_DESCRIPTION = 'Charging session';

const contributor = spendingContributorResolvers('energy');

export const resolvers = {
  ...contributor,
  ...timelineContributorResolvers('energy'),
  ...quoteContributorResolvers('energy', priceEnergyQuote),
  SpendingLinePage: {
    ...contributor.SpendingLinePage,
    // The kit's resolver, except that analysts get charging lines without the location.
    async energyLines(ref: SpendingLinePageRef, _args: unknown, ctx: Ctx) {
      const lines = (await ctx.loaders.spending.lines.load({ ...ref, userId: readableUserId(ref, ctx) })).map(lineToWire);
      if (!shouldPseudonymise(ctx.identity)) return lines;
      return lines.map((l) => (l.category === 'CHARGING' ? { ...l, description: ANALYST_CHARGING_DESCRIPTION } : l));
    },
  },

  Query: { ...Query, ...lifecycleFeedResolvers('energy', LIFECYCLE_FEED_READERS) },
  Mutation,
  ...entityResolvers,
};
