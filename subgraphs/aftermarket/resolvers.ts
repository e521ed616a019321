/**
 * Aftermarket's resolver map, assembled: reads from `queries.ts`, writes from `mutations.ts`, and the
 * kit's spending contribution. Access rules are in `access.ts`, argument checks in `validation.ts`,
 * SQL in `data/`.
 */
import { spendingContributorResolvers } from '../kit/contributor';
import { timelineContributorResolvers } from '../kit/timeline-contributor';
import { quoteContributorResolvers } from '../kit/quote-contributor';
import { priceMaintenanceQuote } from './quote';
import { entityResolvers, Query } from './queries';
import { Mutation } from './mutations';
import { lifecycleFeedResolvers } from '../kit/lifecycle-feed';
import { LIFECYCLE_FEED_READERS } from './access';

export const resolvers = {
  ...spendingContributorResolvers('aftermarket'),
  ...timelineContributorResolvers('aftermarket'),
  ...quoteContributorResolvers('aftermarket', priceMaintenanceQuote),
  Query: { ...Query, ...lifecycleFeedResolvers('aftermarket', LIFECYCLE_FEED_READERS) },
  Mutation,
  ...entityResolvers,
};
