/** The analytics subgraph's resolver map: the analyst views (views/), and the admin's refresh. */
import type { Db } from '../../platform/db';
import type { Identity } from '../../platform/identity';
import { forbidden, notFound } from '../../platform/errors';
import { checkId } from '../kit/ids';
import type { ServiceClient } from '../kit/module';
import { requireIdentity } from '../kit/auth';
import { requireAnalyst } from './access';
import { ingesterOf } from './running';
import { analystLifecycleEvents } from './views/events';
import { analystOwnershipCostAverages, analystOwnershipCosts } from './views/costs';
import { analystRetention } from './views/retention';
import { requireOrderedReader, type createDemandLoader } from './views/demand';

interface Ctx {
  db: Db;
  identity: Identity | null;
  loaders: { ordered: ReturnType<typeof createDemandLoader> };
  services: ServiceClient;
}

const MODEL_QUERY = `query($m: ID!) { model(id: $m) { id manufacturerOrg } }`;

export const resolvers = {
  Query: {
    analystLifecycleEvents(_: unknown, args: Parameters<typeof analystLifecycleEvents>[1], ctx: Ctx) {
      requireAnalyst(ctx.identity);
      return analystLifecycleEvents(ctx.db, args);
    },
    analystOwnershipCosts(_: unknown, args: Parameters<typeof analystOwnershipCosts>[1], ctx: Ctx) {
      requireAnalyst(ctx.identity);
      return analystOwnershipCosts(ctx.db, args);
    },
    analystOwnershipCostAverages(_: unknown, args: Parameters<typeof analystOwnershipCostAverages>[1], ctx: Ctx) {
      requireAnalyst(ctx.identity);
      return analystOwnershipCostAverages(ctx.db, args);
    },
    analystRetention(_: unknown, args: Parameters<typeof analystRetention>[1], ctx: Ctx) {
      requireAnalyst(ctx.identity);
      return analystRetention(ctx.db, args);
    },
    async orderedDemand(_: unknown, args: { modelId: string }, ctx: Ctx) {
      requireIdentity(ctx.identity);
      const modelId = checkId(args.modelId, 'modelId');
      // Whose model it is, from the catalog that owns models (an unknown one is NOT_FOUND, as for `demand`).
      const { model } = await ctx.services.call<{ model: { id: string; manufacturerOrg: string } | null }>('catalog', MODEL_QUERY, { m: modelId });
      if (!model) throw notFound(`unknown model "${modelId}"`);
      requireOrderedReader(ctx.identity, model);
      return ctx.loaders.ordered.load(model.id);
    },
  },
  Mutation: {
    async refreshAnalytics(_: unknown, _args: unknown, ctx: Ctx) {
      const who = requireIdentity(ctx.identity);
      if (who.role !== 'admin') throw forbidden(`only an admin may refresh the analytics store (it refreshes on its own every few seconds); your token has ${who.role}`);
      return ingesterOf(ctx.db).refresh();
    },
  },
};
