/**
 * The catalog subgraph's resolver map: reads in `queries.ts`, the cost-of-ownership quote it owns in
 * `ownership-quote.ts`, the preference mutation in `mutations.ts` (access rules in `access.ts`, input
 * checks in `validation.ts`, SQL under `data/`).
 */
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { timelineContributorResolvers } from '../kit/timeline-contributor';
import { lifecycleFeedResolvers } from '../kit/lifecycle-feed';
import { LIFECYCLE_FEED_READERS } from './access';
import { ownershipQuoteResolvers } from './ownership-quote';

export const resolvers = {
  ...timelineContributorResolvers('catalog'),
  ...queryResolvers,
  OwnershipQuote: ownershipQuoteResolvers.OwnershipQuote,
  Query: { ...queryResolvers.Query, ...ownershipQuoteResolvers.Query, ...lifecycleFeedResolvers('catalog', LIFECYCLE_FEED_READERS) },
  Mutation: mutationResolvers,
};
