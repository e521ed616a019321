/**
 * Per-request DataLoaders: every entity lookup and per-parent list of a request is answered by one
 * statement per kind, however many parents there are.
 */
import DataLoader from 'dataloader';
import type { Db } from '../kit/db';
import { createSpendingLoaders } from '../kit/contributor';
import { policiesByIds, policiesByVins, policyPagesForUsers, productsByIds, type InsurancePolicyRow, type InsuranceProductRow } from './data/insurance';
import type { TimeKey } from './data/keyset';
import { instalmentsByIds, instalmentsByLoanIds, loanPagesForUsers, loansByIds, loansByOrderIds, type InstalmentRow, type LoanRow } from './data/loans';

/** One user's page request: batched with every other user asking for the same page shape. */
export interface UserPageKey {
  userId: string;
  limit: number;
  after: TimeKey | null;
}

function byId<T extends { id: string }>(rows: readonly T[], ids: readonly string[]): Array<T | null> {
  const map = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => map.get(id) ?? null);
}

function groupBy<T>(rows: readonly T[], keys: readonly string[], keyOf: (row: T) => string): T[][] {
  const map = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) map.get(keyOf(r))?.push(r);
  return keys.map((k) => map.get(k) ?? []);
}

const pageShape = (k: UserPageKey) => `${k.limit}\u0000${k.after ? `${k.after.at.toISOString()}\u0000${k.after.id}` : ''}`;

/** Batches page requests of many users into one statement per distinct (page size, cursor). */
function userPageLoader<T>(load: (userIds: string[], after: TimeKey | null, limit: number) => Promise<Map<string, T[]>>) {
  return new DataLoader<UserPageKey, T[], string>(
    async (keys) => {
      const shapes = new Map<string, UserPageKey[]>();
      for (const k of keys) shapes.set(pageShape(k), [...(shapes.get(pageShape(k)) ?? []), k]);
      const results = new Map<string, T[]>();
      for (const [shape, group] of shapes) {
        const pages = await load([...new Set(group.map((k) => k.userId))], group[0].after, group[0].limit);
        for (const [userId, rows] of pages) results.set(`${shape}\u0000${userId}`, rows);
      }
      return keys.map((k) => results.get(`${pageShape(k)}\u0000${k.userId}`) ?? []);
    },
    { cacheKeyFn: (k) => `${pageShape(k)}\u0000${k.userId}` },
  );
}

export function createFinanceLoaders(db: Db) {
  const loan = new DataLoader<string, LoanRow | null>(async (ids) => byId(await loansByIds(db, ids), ids));
  const loanByOrder = new DataLoader<string, LoanRow | null>(async (orderIds) => {
    const rows = await loansByOrderIds(db, orderIds);
    const map = new Map(rows.map((r) => [r.orderId, r]));
    return orderIds.map((id) => map.get(id) ?? null);
  });
  const schedule = new DataLoader<string, InstalmentRow[]>(async (loanIds) => groupBy(await instalmentsByLoanIds(db, loanIds), loanIds, (r) => r.loanId));
  const instalment = new DataLoader<string, InstalmentRow | null>(async (ids) => byId(await instalmentsByIds(db, ids), ids));
  const product = new DataLoader<string, InsuranceProductRow | null>(async (ids) => byId(await productsByIds(db, ids), ids));
  const policy = new DataLoader<string, InsurancePolicyRow | null>(async (ids) => byId(await policiesByIds(db, ids), ids));
  const policiesByVin = new DataLoader<string, InsurancePolicyRow[]>(async (vins) => groupBy(await policiesByVins(db, vins), vins, (r) => r.vin));
  const loansOfUser = userPageLoader((userIds, after, limit) => loanPagesForUsers(db, userIds, after, limit));
  const policiesOfUser = userPageLoader((userIds, after, limit) => policyPagesForUsers(db, userIds, after, limit));
  return {
    loan,
    loanByOrder,
    schedule,
    instalment,
    product,
    policy,
    policiesByVin,
    loansOfUser,
    policiesOfUser,
    spending: createSpendingLoaders(db, 'finance'),
  };
}

export type FinanceLoaders = ReturnType<typeof createFinanceLoaders>;
