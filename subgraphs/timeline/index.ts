/**
 * The timeline subgraph: a car's life, and a person's, merged from every subgraph with events in it.
 * It has no tables; its schema is generated from the contributors (kit/merged-list), so a new
 * contributor — a folder, or a partner published at run time — is merged without an edit here.
 */
import type { SubgraphModule } from '../kit/module';
import { loadTypeDefs } from '../kit/module';
import { contributorsOf, mergerTypeDefs } from '../kit/merged-list/generate';
import { TIMELINE_LIST } from '../kit/lifecycle';
import { timelineResolvers } from './resolvers';

const timeline: SubgraphModule<Record<string, never>> = {
  name: 'timeline',
  port: 4008,
  stateless: true,
  dir: __dirname,
  // Only used without peers (never in a graph): the generated schema needs its contributors.
  resolvers: timelineResolvers([]) as never,
  createLoaders: () => ({}),
  fromPeers(peers) {
    const contributors = contributorsOf(TIMELINE_LIST, peers);
    return { typeDefs: mergerTypeDefs(TIMELINE_LIST, loadTypeDefs(__dirname), contributors), resolvers: timelineResolvers(contributors) as never };
  },
};

export default timeline;
