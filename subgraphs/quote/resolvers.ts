/**
 * The quote's merge: each option's months, categories and lines, and the comparisons, derived only from
 * what each contributor sent (its `<name>QuoteCosts`, fetched by the gateway through `@requires`). This
 * subgraph reads no table, and a quote is public: nothing here asks who the caller is.
 */
import { categoryOrder, contributionsOf } from '../kit/merged-list/contributions';
import { oncePerRepresentation as once, wireFen } from '../kit/merged-list/page';
import type { Contributor } from '../kit/merged-list/generate';
import { parseQuoteSpec, QUOTE_LIST, type QuoteCostItem } from '../kit/ownership-quote';
import type { OwnershipQuoteRef, QuoteCostWire } from '../kit/quote-contributor';
import { summariseQuote } from './totals';

type Rep = OwnershipQuoteRef & Record<string, unknown>;
const [QUOTE] = QUOTE_LIST.parts;

const fromWire = (c: QuoteCostWire): QuoteCostItem => ({ option: c.option, month: c.month, category: c.category, description: c.description, amountFen: wireFen(c.amount) });

/** The resolvers for one set of contributors (rebuilt when that set changes). */
export function quoteResolvers(contributors: readonly Contributor[]) {
  const order = categoryOrder(contributors);
  // Both derived fields of one representation read the same merge: computed once per representation.
  const summary = once((rep: Rep) => summariseQuote(parseQuoteSpec(rep.spec), contributionsOf<QuoteCostWire>(rep, contributors, QUOTE).flat().map(fromWire), order));
  return {
    OwnershipQuote: {
      // The whole representation comes back: the @requires'd contributions arrive in it. A spec that
      // `encodeQuoteSpec` did not write is refused here too.
      __resolveReference(rep: Rep) {
        parseQuoteSpec(rep.spec);
        return rep;
      },
      options: (rep: Rep) => summary(rep).options,
      comparisons: (rep: Rep) => summary(rep).comparisons,
    },
  };
}
