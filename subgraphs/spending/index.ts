/**
 * The spending subgraph: "what has this car cost me?" merged from every subgraph that takes money from
 * the owner. It has no tables; its schema is generated from the contributors (kit/merged-list), so a new
 * contributor — a folder, or a partner published at run time — is merged without an edit here.
 */
import type { SubgraphModule } from '../kit/module';
import { loadTypeDefs } from '../kit/module';
import { contributorsOf, mergerTypeDefs } from '../kit/merged-list/generate';
import { SPENDING_LIST } from '../kit/spending';
import { spendingResolvers } from './resolvers';

const spending: SubgraphModule<Record<string, never>> = {
  name: 'spending',
  port: 4006,
  stateless: true,
  dir: __dirname,
  // Only used without peers (never in a graph): the generated schema needs its contributors.
  resolvers: spendingResolvers([]) as never,
  createLoaders: () => ({}),
  fromPeers(peers) {
    const contributors = contributorsOf(SPENDING_LIST, peers);
    return { typeDefs: mergerTypeDefs(SPENDING_LIST, loadTypeDefs(__dirname), contributors), resolvers: spendingResolvers(contributors) as never };
  },
};

export default spending;
