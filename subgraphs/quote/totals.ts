/**
 * The quote's arithmetic: from every contributor's costs, each option's months, categories and totals,
 * and the comparisons of each option with option 1. Every figure is a sum of the same per-(option, month,
 * category) bigint sums, so an option's total is the sum of its categories and of its months, and its
 * last cumulative figure is its total, to the fen.
 */
import { money, type Money } from '../../platform/money';
import type { QuoteCostItem, QuoteSpec } from '../kit/ownership-quote';

export interface CategoryTotal {
  category: string;
  total: Money;
}
export interface QuoteMonth {
  month: number;
  total: Money;
  cumulative: Money;
  byCategory: CategoryTotal[];
}
export interface QuoteCostLine {
  month: number;
  category: string;
  description: string;
  amount: Money;
}
export interface OptionSummary {
  option: number;
  label: string;
  total: Money;
  byCategory: CategoryTotal[];
  months: QuoteMonth[];
  costs: QuoteCostLine[];
  /** Cumulative fen at the end of each month (index 0 = month 1), for the comparisons. */
  cumulativeFen: bigint[];
}
export interface Comparison {
  option: number;
  against: number;
  difference: Money;
  cheaperOption: number | null;
  breakEvenMonth: number | null;
}

/** Position of a category in the merged enum's order; an unknown one sorts last (never dropped). */
const rankIn = (order: readonly string[]) => (category: string) => {
  const i = order.indexOf(category);
  return i < 0 ? order.length : i;
};

function byCategoryOf(sums: ReadonlyMap<string, bigint>, rank: (c: string) => number): CategoryTotal[] {
  return [...sums.entries()].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0)).map(([category, fen]) => ({ category, total: money(fen) }));
}

/** One option's months (every month of the quote, zero where nothing is paid), categories and lines. */
export function summariseOption(spec: QuoteSpec, option: number, items: readonly QuoteCostItem[], categoryOrder: readonly string[]): OptionSummary {
  const months = 12 * spec.years;
  const rank = rankIn(categoryOrder);
  const perMonth = Array.from({ length: months }, () => new Map<string, bigint>());
  const mine = items.filter((c) => c.option === option);
  for (const c of mine) {
    if (c.month < 1 || c.month > months) throw new Error(`a quote cost "${c.description}" falls in month ${c.month}, outside 1..${months}`);
    const m = perMonth[c.month - 1];
    m.set(c.category, (m.get(c.category) ?? 0n) + c.amountFen);
  }
  const overall = new Map<string, bigint>();
  const cumulativeFen: bigint[] = [];
  let running = 0n;
  const monthRows = perMonth.map((sums, i): QuoteMonth => {
    let total = 0n;
    for (const [category, fen] of sums) {
      total += fen;
      overall.set(category, (overall.get(category) ?? 0n) + fen);
    }
    running += total;
    cumulativeFen.push(running);
    return { month: i + 1, total: money(total), cumulative: money(running), byCategory: byCategoryOf(sums, rank) };
  });
  // Stable: within a month and category, lines keep the order their contributor gave them.
  const costs = mine
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.month - b.c.month || rank(a.c.category) - rank(b.c.category) || a.i - b.i)
    .map(({ c }) => ({ month: c.month, category: c.category, description: c.description, amount: money(c.amountFen) }));
  return { option, label: spec.options[option - 1].label, total: money(running), byCategory: byCategoryOf(overall, rank), months: monthRows, costs, cumulativeFen };
}

/**
 * Which of two cumulative series ends lower (`a`, `b` or neither), and the break-even month: the first
 * month from which that one stays at or below the other through the last month — null when it is at or
 * below from month 1 (cheaper throughout: nothing breaks even) or when both end equal.
 */
export function breakEven(a: readonly bigint[], b: readonly bigint[]): { cheaper: 'a' | 'b' | null; month: number | null } {
  const last = a.length - 1;
  if (last < 0 || a[last] === b[last]) return { cheaper: null, month: null };
  const cheaper = a[last] < b[last] ? 'a' : 'b';
  const [low, high] = cheaper === 'a' ? [a, b] : [b, a];
  let month = 1;
  for (let i = last; i >= 0; i--) {
    if (low[i] > high[i]) {
      month = i + 2;
      break;
    }
  }
  return { cheaper, month: month === 1 ? null : month };
}

/** Every option of the quote and each option after the first compared with option 1. */
export function summariseQuote(spec: QuoteSpec, items: readonly QuoteCostItem[], categoryOrder: readonly string[]) {
  const options = spec.options.map((_, i) => summariseOption(spec, i + 1, items, categoryOrder));
  const first = options[0];
  const comparisons: Comparison[] = options.slice(1).map((o) => {
    const even = breakEven(o.cumulativeFen, first.cumulativeFen);
    return {
      option: o.option,
      against: first.option,
      difference: money(o.total.amount - first.total.amount),
      cheaperOption: even.cheaper === 'a' ? o.option : even.cheaper === 'b' ? first.option : null,
      breakEvenMonth: even.month,
    };
  });
  return { options, comparisons };
}
