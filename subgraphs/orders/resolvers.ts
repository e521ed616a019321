/**
 * The orders subgraph's resolver map: reads in `queries.ts`, writes in `mutations.ts` (access rules in
 * `access.ts`, input checks in `validation.ts`, SQL under `data/`). The spending merge (`spending.ts`)
 * is added beside it in `index.ts`.
 */
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { lifecycleFeedResolvers } from '../kit/lifecycle-feed';
import { LIFECYCLE_FEED_READERS } from './access';
import { ordersAnalystFactsOf } from './analyst-facts';

export const ordersResolvers = {
  ...queryResolvers,
  Query: { ...queryResolvers.Query, ...lifecycleFeedResolvers('orders', LIFECYCLE_FEED_READERS), ordersAnalystFactsOf },
  Mutation: mutationResolvers,
};
