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
import { LIFECYCLE_FEED_READERS } from './access';

export const financeResolvers = {
  ...spendingContributorResolvers('finance'),
  ...timelineContributorResolvers('finance'),
  ...queryResolvers,
  Query: { ...queryResolvers.Query, ...lifecycleFeedResolvers('finance', LIFECYCLE_FEED_READERS) },
  Mutation: { openLoan, payInstalment, buyInsurance },
};
