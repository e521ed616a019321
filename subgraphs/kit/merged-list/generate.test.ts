/** The merger's schema from its contributors', and the contributor mistakes it refuses with a fix. */
import { parse } from 'graphql';
import { contributorsOf, mergerTypeDefs, MergedListError } from './generate';
import { SPENDING_LIST } from '../spending';

const own = (name: string, type: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}${type}`;
const contributor = (name: string, fields: { buckets?: string; lines?: string } = {}) => ({
  name,
  typeDefs: parse(`
    enum SpendingCategory { ${name.toUpperCase()}_FEE }
    union SpendingSubject = ${name}Thing
    type ${name}Thing @key(fields: "id") { id: ID! }
    type SpendingReport @key(fields: "userId period") { userId: ID! period: String! internalUserId: ID! @external
      ${fields.buckets ?? `${name}Buckets: [${own(name, 'SpendingBucket')}!]! @requires(fields: "internalUserId")`} }
    type SpendingLinePage @key(fields: "userId period first after") { userId: ID! period: String! first: Int! after: String! internalUserId: ID! @external
      ${fields.lines ?? `${name}Lines: [${own(name, 'SpendingLineContribution')}!]! @requires(fields: "internalUserId")`} }`),
});
const refusal = (peers: Parameters<typeof contributorsOf>[1]) => {
  try {
    contributorsOf(SPENDING_LIST, peers);
  } catch (err) {
    expect(err).toBeInstanceOf(MergedListError);
    return (err as Error).message;
  }
  throw new Error('not refused');
};

test('each contributor is found with its own categories and subject types, in the peers’ order', () => {
  const found = contributorsOf(SPENDING_LIST, [contributor('alpha'), { name: 'plain', typeDefs: parse('type Query { x: Int }') }, contributor('beta')]);
  expect(found.map((c) => [c.name, c.categories.map((v) => v.name.value), c.subjects])).toEqual([
    ['alpha', ['ALPHA_FEE'], ['alphaThing']],
    ['beta', ['BETA_FEE'], ['betaThing']],
  ]);
});

test('the merger gets one @external field per contributor and @requires over all of them on every derived field', () => {
  const base = parse(`enum SpendingCategory union SpendingSubject
    "Internal: a sum." type SpendingBucket { category: SpendingCategory! amount: String! } type SpendingLineContribution { id: ID! }
    type PageInfo @shareable { hasNextPage: Boolean! }
    type SpendingReport @key(fields: "userId period") { userId: ID! period: String! total: String! byCategory: String! byMonth: String! lineCount: Int! }
    type SpendingLinePage @key(fields: "userId period first after") { userId: ID! period: String! first: Int! after: String! edges: String! pageInfo: PageInfo! }`);
  const doc = mergerTypeDefs(SPENDING_LIST, base, contributorsOf(SPENDING_LIST, [contributor('alpha'), contributor('beta')]));
  const text = require('graphql').print(doc) as string;
  expect(text).toContain('total: String! @requires(fields: "alphaBuckets { category amount } betaBuckets { category amount }")');
  expect(text).toContain('alphaLines: [AlphaSpendingLineContribution!]! @external');
  // Each contributor's element type is the template under its name; the template itself is not served.
  expect(text).toMatch(/"Internal: the beta subgraph's contribution, a sum\."\ntype BetaSpendingBucket \{\n  category: SpendingCategory!\n  amount: String!\n\}/);
  expect(text).not.toMatch(/type SpendingBucket\b/);
  // The shared type a derived field returns is also named by a plain (inaccessible) field of the merger.
  expect(text).toMatch(/type SpendingReportSharedTypes @inaccessible \{\n  "The shared type PageInfo\."\n  pageInfo: PageInfo\n\}/);
  expect(text).toContain('union SpendingSubject = alphaThing | betaThing');
  expect(text).toMatch(/type betaThing @key\(fields: "id", resolvable: false\)/);
});

test('a contribution not named after its subgraph is refused instead of silently leaving its money out', () => {
  expect(refusal([contributor('parking', { buckets: 'parkBuckets: [ParkingSpendingBucket!]! @requires(fields: "internalUserId")' })])).toMatch(
    /parking: SpendingReport\.parkBuckets would never be merged: .* named after its subgraph, parkingBuckets/,
  );
});

test('a contribution without @requires(fields: "internalUserId") is refused: it would read an analyst’s pseudonym', () => {
  expect(refusal([contributor('parking', { lines: 'parkingLines: [ParkingSpendingLineContribution!]!' })])).toMatch(/SpendingLinePage\.parkingLines must declare @requires\(fields: "internalUserId"\)/);
});

test('a contributor with one part but not the other, or with no category, is refused naming what is missing', () => {
  expect(refusal([contributor('parking', { lines: '' })])).toMatch(/has no SpendingLinePage\.parkingLines/);
  const noCategory = contributor('parking');
  noCategory.typeDefs = parse(require('graphql').print(noCategory.typeDefs).replace(/enum SpendingCategory \{[^}]*\}/, ''));
  expect(refusal([noCategory])).toMatch(/declares no value of enum SpendingCategory/);
});

test('a contribution returning the shared template type is refused: a stitching gateway could not serve it', () => {
  expect(refusal([contributor('parking', { buckets: 'parkingBuckets: [SpendingBucket!]! @requires(fields: "internalUserId")' })])).toMatch(
    /parking: SpendingReport\.parkingBuckets must return \[ParkingSpendingBucket!\]!, a type of its own with the fields of SpendingBucket/,
  );
});

describe('a list whose entity has an owner (the ownership quote: catalog resolves the `facts` contributions require)', () => {
  const { QUOTE_LIST } = require('../ownership-quote') as typeof import('../ownership-quote');
  const owner = { name: 'catalog', typeDefs: parse(`type OwnershipQuote @key(fields: "spec") { spec: String! years: Int! facts: String! }`) };
  const pricer = (name: string, field = `${name}QuoteCosts: [${own(name, 'QuoteCost')}!]! @requires(fields: "facts")`) => ({
    name,
    typeDefs: parse(`enum OwnershipCostCategory { ${name.toUpperCase()}_COST } type OwnershipQuote @key(fields: "spec") { spec: String! facts: String! @external ${field} }`),
  });

  test('the owner is no contributor and its own fields are not refused; each pricing subgraph is one', () => {
    expect(contributorsOf(QUOTE_LIST, [owner, pricer('finance'), pricer('energy')]).map((c) => c.name)).toEqual(['finance', 'energy']);
  });

  test('a field of a pricing subgraph that is not its contribution is still refused', () => {
    expect(() => contributorsOf(QUOTE_LIST, [owner, pricer('finance', `financeCosts: [FinanceQuoteCost!]! @requires(fields: "facts")`)])).toThrow(/financeQuoteCosts/);
    expect(() => contributorsOf(QUOTE_LIST, [pricer('finance', `financeQuoteCosts: [FinanceQuoteCost!]!`)])).toThrow(/@requires\(fields: "facts"\)/);
  });
});
