/**
 * Per-request DataLoaders: every entity lookup and per-parent list of a request is answered by one
 * statement per kind, however many parents there are.
 */
import type { Db } from '../../platform/db';
import { createSpendingLoaders } from '../kit/contributor';
import { createTimelineLoaders } from '../kit/timeline-contributor';
import { byKeyLoader, listByKeyLoader, pageLoader } from '../kit/loaders';
import { policiesByIds, policiesByVins, policyPagesForUsers, productsByIds } from './data/insurance';
import { instalmentsByIds, instalmentsByLoanIds, loanPagesForUsers, loansByIds, loansByOrderIds } from './data/loans';

export function createFinanceLoaders(db: Db) {
  return {
    loan: byKeyLoader((ids) => loansByIds(db, ids), (l) => l.id),
    loanByOrder: byKeyLoader((orderIds) => loansByOrderIds(db, orderIds), (l) => l.orderId),
    schedule: listByKeyLoader((loanIds) => instalmentsByLoanIds(db, loanIds), (i) => i.loanId),
    instalment: byKeyLoader((ids) => instalmentsByIds(db, ids), (i) => i.id),
    product: byKeyLoader((ids) => productsByIds(db, ids), (p) => p.id),
    policy: byKeyLoader((ids) => policiesByIds(db, ids), (p) => p.id),
    policiesByVin: listByKeyLoader((vins) => policiesByVins(db, vins), (p) => p.vin),
    loansOfUser: pageLoader((userIds, after, limit) => loanPagesForUsers(db, userIds, after, limit)),
    policiesOfUser: pageLoader((userIds, after, limit) => policyPagesForUsers(db, userIds, after, limit)),
    spending: createSpendingLoaders(db, 'finance'),
    timeline: createTimelineLoaders(db, 'finance'),
  };
}

export type FinanceLoaders = ReturnType<typeof createFinanceLoaders>;
