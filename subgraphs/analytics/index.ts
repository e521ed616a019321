/**
 * The analytics subgraph: analysts' views across all users (lifecycle events, cost of ownership,
 * retention), served from its own store, which it keeps fresh by reading every contributor's
 * lifecycle feed (kit/lifecycle-feed.ts) and orders' facts about people — never another subgraph's tables.
 */
import type { SubgraphModule } from '../kit/module';
import { readRefreshSeconds, refreshSeconds } from './config';
import { AnalyticsIngester, refreshPeriodically } from './ingest';
import { resolvers } from './resolvers';
import { registerIngester } from './running';
import { createDemandLoader } from './views/demand';

const analytics: SubgraphModule<{ ordered: ReturnType<typeof createDemandLoader> }> = {
  name: 'analytics',
  port: 4010,
  dir: __dirname,
  resolvers: resolvers as never,
  createLoaders: (db) => ({ ordered: createDemandLoader(db) }),
  settings: (env, problems) => void readRefreshSeconds(env, problems),
  background({ db, services, peers, scheduled }) {
    const ingester = new AnalyticsIngester(db, services, peers);
    registerIngester(db, ingester);
    // Unscheduled (a test graph): refreshed only by `refreshAnalytics`, so no round races what a test counts.
    return scheduled ? refreshPeriodically(ingester, refreshSeconds()) : { stop: () => ingester.idle() };
  },
};

export default analytics;
