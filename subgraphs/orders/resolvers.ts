/**
 * The orders subgraph's resolver map: reads in `queries.ts`, writes in `mutations.ts` (access rules in
 * `access.ts`, input checks in `validation.ts`, SQL under `data/`). The spending merge (`spending.ts`)
 * is added beside it in `index.ts`.
 */
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';

export const ordersResolvers = {
  ...queryResolvers,
  Mutation: mutationResolvers,
};
