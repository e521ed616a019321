/**
 * Resolvers every cost-of-ownership quote contributor shares (kit/ownership-quote.ts): the entity
 * reference of `OwnershipQuote` and its `<name>QuoteCosts` field. The gateway sends the quote's `spec`
 * (its key) and catalog's `facts` (through `@requires`); this parses both, calls the subgraph's own
 * pricing function and puts its items on the wire.
 *
 * A quote is public: nothing here asks who the caller is. A quote is a price list, not anyone's data,
 * so no token is needed, and a pricing function must read only public rows (prices, products, plans).
 */
import { formatFen } from '../../platform/money';
import { parseQuoteFacts, parseQuoteSpec, type QuoteCostItem, type QuoteSpec, type QuoteVehicleFacts } from './ownership-quote';

/** `OwnershipQuote` as a contributor receives it: the key, and `facts` once the gateway has it from catalog. */
export interface OwnershipQuoteRef {
  spec: string;
  facts?: string;
}

/** One item as the `<Name>QuoteCost` type puts it on the wire (amount as a Decimal string). */
export interface QuoteCostWire {
  option: number;
  month: number;
  category: string;
  description: string;
  amount: string;
}

/** A contributor's pricing: every cost item of every option for the quote's whole period. */
export type QuotePricing<Ctx> = (spec: QuoteSpec, facts: QuoteVehicleFacts[], ctx: Ctx) => Promise<QuoteCostItem[]> | QuoteCostItem[];

/**
 * Checks a contributor's items against the quote before they leave it: an item outside the quote's
 * options or months would be dropped or miscounted by the merger, so it is a bug here, said here.
 */
export function quoteCostsToWire(name: string, spec: QuoteSpec, items: readonly QuoteCostItem[]): QuoteCostWire[] {
  const months = 12 * spec.years;
  return items.map((item) => {
    if (!Number.isInteger(item.option) || item.option < 1 || item.option > spec.options.length) {
      throw new Error(`${name}: quote cost "${item.description}" names option ${item.option}; the quote has ${spec.options.length}`);
    }
    if (!Number.isInteger(item.month) || item.month < 1 || item.month > months) {
      throw new Error(`${name}: quote cost "${item.description}" falls in month ${item.month}; the quote runs months 1..${months}`);
    }
    if (typeof item.amountFen !== 'bigint') throw new Error(`${name}: quote cost "${item.description}" has no amount in fen (bigint)`);
    return { option: item.option, month: item.month, category: item.category, description: item.description, amount: formatFen(item.amountFen) };
  });
}

/**
 * The resolvers a contributing subgraph adds for `OwnershipQuote.<name>QuoteCosts`. A `spec` that
 * `encodeQuoteSpec` did not write is refused (BAD_USER_INPUT) at the reference already, before pricing.
 */
export function quoteContributorResolvers<Ctx = unknown>(name: string, price: QuotePricing<Ctx>) {
  return {
    OwnershipQuote: {
      __resolveReference(ref: OwnershipQuoteRef) {
        parseQuoteSpec(ref.spec);
        return ref;
      },
      [`${name}QuoteCosts`]: async (ref: OwnershipQuoteRef, _args: unknown, ctx: Ctx): Promise<QuoteCostWire[]> => {
        const spec = parseQuoteSpec(ref.spec);
        const facts = parseQuoteFacts(ref.facts);
        if (facts.length !== spec.options.length) throw new Error(`${name}: the quote's facts (from the entity's owner) name ${facts.length} options; the quote has ${spec.options.length}`);
        return quoteCostsToWire(name, spec, await price(spec, facts, ctx));
      },
    },
  };
}
