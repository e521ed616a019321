/** The analytics subgraph's resolver map: the analyst views (views/), and the admin's refresh. */
import type { Db } from '../../platform/db';
import type { Identity } from '../../platform/identity';
import { forbidden } from '../../platform/errors';
import { requireIdentity } from '../kit/auth';
import { requireAnalyst } from './access';
import { ingesterOf } from './running';
import { analystLifecycleEvents } from './views/events';

interface Ctx {
  db: Db;
  identity: Identity | null;
}

export const resolvers = {
  Query: {
    analystLifecycleEvents(_: unknown, args: Parameters<typeof analystLifecycleEvents>[1], ctx: Ctx) {
      requireAnalyst(ctx.identity);
      return analystLifecycleEvents(ctx.db, args);
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
