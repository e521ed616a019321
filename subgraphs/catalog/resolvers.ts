/**
 * The catalog subgraph's resolver map: reads in `queries.ts`, the preference mutation in
 * `mutations.ts` (access rules in `access.ts`, input checks in `validation.ts`, SQL under `data/`).
 */
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { timelineContributorResolvers } from '../kit/timeline-contributor';

export const resolvers = {
  ...timelineContributorResolvers('catalog'),
  ...queryResolvers,
  Mutation: mutationResolvers,
};
