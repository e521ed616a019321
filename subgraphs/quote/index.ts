/**
 * The quote subgraph: the cost-of-ownership quote merged from every subgraph that prices a part of owning
 * a car (kit/ownership-quote.ts). It has no tables; its schema is generated from the contributors
 * (kit/merged-list), so a new contributor — a folder, or a partner published at run time — is merged
 * without an edit here.
 */
import type { SubgraphModule } from '../kit/module';
import { loadTypeDefs } from '../kit/module';
import { contributorsOf, mergerTypeDefs } from '../kit/merged-list/generate';
import { QUOTE_LIST } from '../kit/ownership-quote';
import { quoteResolvers } from './resolvers';

const quote: SubgraphModule<Record<string, never>> = {
  name: 'quote',
  port: 4009,
  stateless: true,
  dir: __dirname,
  // Only used without peers (never in a graph): the generated schema needs its contributors.
  resolvers: quoteResolvers([]) as never,
  createLoaders: () => ({}),
  fromPeers(peers) {
    const contributors = contributorsOf(QUOTE_LIST, peers);
    return { typeDefs: mergerTypeDefs(QUOTE_LIST, loadTypeDefs(__dirname), contributors), resolvers: quoteResolvers(contributors) as never };
  },
};

export default quote;
