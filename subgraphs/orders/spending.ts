/**
 * Orders' part of the spending report: deposits and balances (PURCHASE) and trade-in credits, from its
 * `spending_lines` view. The spending subgraph merges it with every other contributor's part.
 */
import { spendingContributorResolvers } from '../kit/contributor';
import type { SpendingLine } from '../kit/spending';

/** What an analyst reads of a trade-in credit line: not the description of the car its owner wrote. */
const ANALYST_TRADE_IN_DESCRIPTION = 'Trade-in credit';

export const spendingResolvers = spendingContributorResolvers('orders', {
  forAnalysts: (l: SpendingLine) => (l.category === 'TRADE_IN_CREDIT' ? { ...l, description: ANALYST_TRADE_IN_DESCRIPTION } : l),
});
