/**
 * The insurer's resolvers. Each request gets its own loaders, so entity lookups (`_entities` for many
 * premiums or policies at once) are one statement each whatever their number. Authorization is checked
 * on every row against the caller the gateway's token names (`access.ts`).
 */
import DataLoader from 'dataloader';
import type { InsurerDb } from './db';
import type { Caller } from './identity';
import { requirePolicyReader, requireSignedIn, requireSpendingReader } from './access';
import { DateTimeScalar, DecimalScalar, money } from './money';
import { CATEGORY, decodeCursor, encodeCursor, parsePeriod, readFirst, SUBJECT_TYPE, badInput } from './spending';
import * as store from './store';

export interface InsurerContext {
  caller: Caller;
  loaders: ReturnType<typeof createLoaders>;
}

/** How long a quote's price holds. */
const QUOTE_DAYS = 30;
const DAY_MS = 86_400_000;

export function createLoaders(db: InsurerDb) {
  const byId = <T extends { id: string }>(load: (ids: readonly string[]) => Promise<T[]>) =>
    new DataLoader<string, T | null>(async (ids) => {
      const rows = new Map((await load(ids)).map((r) => [r.id, r]));
      return ids.map((id) => rows.get(id) ?? null);
    });
  return {
    products: new DataLoader<'all', store.Product[]>(async (keys) => {
      const all = await store.products(db);
      return keys.map(() => all);
    }),
    policy: byId((ids) => store.policiesById(db, ids)),
    premium: byId((ids) => store.premiumsById(db, ids)),
    premiumsOfPolicy: new DataLoader<string, store.Premium[]>(async (ids) => {
      const rows = await store.premiumsOfPolicies(db, ids);
      return ids.map((id) => rows.filter((p) => p.policyId === id));
    }),
    // Keyed by period and real user id: every report of one period is one GROUP BY.
    buckets: new DataLoader<{ period: string; userId: string }, store.Bucket[], string>(
      async (keys) => {
        const byPeriod = new Map<string, string[]>();
        for (const k of keys) byPeriod.set(k.period, [...(byPeriod.get(k.period) ?? []), k.userId]);
        const found = new Map<string, store.Bucket[]>();
        for (const [period, userIds] of byPeriod) {
          for (const b of await store.premiumBuckets(db, [...new Set(userIds)], parsePeriod(period))) {
            const key = `${period}\u0000${b.userId}`;
            found.set(key, [...(found.get(key) ?? []), b]);
          }
        }
        return keys.map((k) => found.get(`${k.period}\u0000${k.userId}`) ?? []);
      },
      { cacheKeyFn: (k) => `${k.period}\u0000${k.userId}` },
    ),
    db,
  };
}

interface ReportRef {
  userId: string;
  period: string;
  internalUserId?: string;
}
interface PageRef extends ReportRef {
  first: number;
  after: string;
}
interface UserRef {
  id: string;
  internalId?: string;
}

/** The real user of a representation: the graph sends it through @requires; without it, `userId` is used. */
const realUser = (ref: ReportRef) => ref.internalUserId ?? ref.userId;

export const resolvers = {
  Decimal: DecimalScalar,
  DateTime: DateTimeScalar,
  Vehicle: {
    insurerQuotes: async (_vehicle: { vin: string }, _args: unknown, ctx: InsurerContext) => {
      requireSignedIn(ctx.caller);
      const validUntil = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS + QUOTE_DAYS * DAY_MS);
      return (await ctx.loaders.products.load('all')).map((p) => ({ productId: p.id, productName: p.name, annualPremium: money(p.annualPremium), validUntil }));
    },
  },
  User: {
    async insurerPolicies(user: UserRef, args: { first?: number | null; after?: string | null }, ctx: InsurerContext) {
      const userId = user.internalId ?? user.id;
      requirePolicyReader(ctx.caller, userId);
      const first = args.first ?? 20;
      if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('`first` must be between 1 and 100');
      const rows = await store.policiesOfUser(ctx.loaders.db, userId, decodeCursor(args.after), first + 1);
      const page = rows.slice(0, first);
      return {
        edges: page.map((node) => ({ cursor: encodeCursor(node.startsAt, node.id), node })),
        pageInfo: { hasNextPage: rows.length > first, endCursor: page.length ? encodeCursor(page[page.length - 1].startsAt, page[page.length - 1].id) : null },
      };
    },
  },
  InsurerPolicy: {
    async __resolveReference(ref: { id: string }, ctx: InsurerContext) {
      const policy = await ctx.loaders.policy.load(ref.id);
      if (policy) requirePolicyReader(ctx.caller, policy.userId);
      return policy;
    },
    vehicle: (p: store.Policy) => ({ vin: p.vin }),
    premiums: (p: store.Policy, _args: unknown, ctx: InsurerContext) => ctx.loaders.premiumsOfPolicy.load(p.id),
  },
  InsurerPremium: {
    async __resolveReference(ref: { id: string }, ctx: InsurerContext) {
      const premium = await ctx.loaders.premium.load(ref.id);
      if (premium) requireSpendingReader(ctx.caller, premium.userId);
      return premium;
    },
    amount: (p: store.Premium) => money(p.amount),
    policy: async (p: store.Premium, _args: unknown, ctx: InsurerContext) => {
      const policy = await ctx.loaders.policy.load(p.policyId);
      if (policy) requirePolicyReader(ctx.caller, policy.userId);
      return policy;
    },
  },
  SpendingReport: {
    __resolveReference(ref: ReportRef, ctx: InsurerContext) {
      requireSpendingReader(ctx.caller, realUser(ref));
      parsePeriod(ref.period);
      return ref;
    },
    async insurerBuckets(ref: ReportRef, _args: unknown, ctx: InsurerContext) {
      const userId = realUser(ref);
      requireSpendingReader(ctx.caller, userId);
      const buckets = await ctx.loaders.buckets.load({ period: ref.period, userId });
      return buckets.map((b) => ({ category: CATEGORY, month: b.month, amount: b.amount, lineCount: b.lineCount }));
    },
  },
  SpendingLinePage: {
    __resolveReference(ref: PageRef, ctx: InsurerContext) {
      requireSpendingReader(ctx.caller, realUser(ref));
      return ref;
    },
    async insurerLines(ref: PageRef, _args: unknown, ctx: InsurerContext) {
      const userId = realUser(ref);
      requireSpendingReader(ctx.caller, userId);
      // first + 1: the merger learns from the extra line whether another page follows.
      const premiums = await store.premiumPage(ctx.loaders.db, userId, parsePeriod(ref.period), decodeCursor(ref.after), readFirst(ref.first) + 1);
      return premiums.map((p) => ({
        id: store.premiumLineId(p.id),
        occurredAt: p.paidAt,
        category: CATEGORY,
        description: p.description,
        amount: p.amount,
        subjectType: SUBJECT_TYPE,
        subjectId: p.id,
      }));
    },
  },
};
