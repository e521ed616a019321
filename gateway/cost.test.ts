import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { buildSchema, getOperationAST, parse } from 'graphql';
import { SATURATED } from '../platform/limits';
import { costModelOf, estimateCost, DEFAULT_LIST_SIZE, MUTATION_FIELD_COST } from './cost';
import { HEADLINE_QUERY } from './headline-query';

/** A small schema with the cost spec's directives under their own names (no @link: an older composition). */
const SDL = `
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
type Query {
  item: Item
  items: [Item!]!
  sized: [Item!]! @listSize(assumedSize: 5)
  page(first: Int = 20, last: Int): Page! @listSize(slicingArguments: ["first", "last"], sizedFields: ["edges"], requireOneSlicingArgument: false)
  top(first: Int): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)
  report: Report! @cost(weight: 50)
  search(text: String @cost(weight: 7)): Item
  thing: Thing
}
type Mutation { make: Item  drop: Boolean }
type Item { id: ID! name: String child: Item children: [Item!]! tags: [String!]! }
type Page { edges: [Edge!]! count: Int! }
type Edge { node: Item! }
type Report @cost(weight: 3) { total: Int! }
union Thing = Item | Report
`;
const schema = buildSchema(SDL);
const model = costModelOf(SDL);
const cost = (query: string, variables?: Record<string, unknown>, defaultListSize = DEFAULT_LIST_SIZE) => {
  const document = parse(query);
  return estimateCost(schema, model, document, getOperationAST(document)!, variables, { defaultListSize });
};

describe('the cost of an operation (IBM cost spec, as Apollo Router estimates it)', () => {
  it('charges 1 per object, 0 per scalar, and nothing for introspection', () => {
    expect(cost('{ item { id name } }')).toBe(1);
    expect(cost('{ item { id child { id child { name } } } }')).toBe(3);
    expect(cost('{ __typename __schema { types { name fields { name } } } item { __typename } }')).toBe(1);
  });

  it('multiplies a list without @listSize by the default list size, and one with assumedSize by it', () => {
    expect(cost('{ items { id } }')).toBe(DEFAULT_LIST_SIZE);
    expect(cost('{ items { id } }', undefined, 3)).toBe(3);
    expect(cost('{ items { child { id } } }')).toBe(DEFAULT_LIST_SIZE * 2);
    expect(cost('{ sized { child { id } } }')).toBe(5 * 2);
    expect(cost('{ item { tags } }')).toBe(1);
  });

  it('sizes a connection’s edges by its slicing argument: literal, variable, the variable’s default, the argument’s default', () => {
    // page 1 + count 0 + edges n × (edge 1 + node 1)
    expect(cost('{ page(first: 7) { count edges { node { id } } } }')).toBe(1 + 7 * 2);
    expect(cost('query($n: Int) { page(first: $n) { edges { node { id } } } }', { n: 40 })).toBe(1 + 40 * 2);
    expect(cost('query($n: Int = 3) { page(first: $n) { edges { node { id } } } }')).toBe(1 + 3 * 2);
    expect(cost('{ page { edges { node { id } } } }')).toBe(1 + 20 * 2);
    // The largest of several slicing arguments.
    expect(cost('{ page(first: 2, last: 9) { edges { node { id } } } }')).toBe(1 + 9 * 2);
    // A plain list sized by its own slicing argument; no argument and no default: the default list size.
    expect(cost('{ top(first: 4) { id } }')).toBe(4);
    expect(cost('{ top { id } }')).toBe(DEFAULT_LIST_SIZE);
  });

  it('a slicing value absent, null or not a whole number (refused later by coercion) is the argument’s default; a negative one is 0', () => {
    expect(cost('query($n: Int) { page(first: $n) { edges { node { id } } } }', { n: 'many' })).toBe(1 + 20 * 2);
    expect(cost('query($n: Int) { page(first: $n) { edges { node { id } } } }', { n: null })).toBe(1 + 20 * 2);
    expect(cost('query($n: Int) { page(first: $n) { edges { node { id } } } }', { n: -5 })).toBe(1);
  });

  it('follows fragments into a sized connection', () => {
    const q = 'query { page(first: 50) { ...P } } fragment P on Page { edges { ...E } } fragment E on Edge { node { id } }';
    expect(cost(q)).toBe(1 + 50 * 2);
    // The same fragment under two sizes is measured for each.
    const two = 'query { a: page(first: 1) { ...P } b: page(first: 100) { ...P } } fragment P on Page { edges { node { id } } }';
    expect(cost(two)).toBe(1 + 1 * 2 + 1 + 100 * 2);
  });

  it('uses @cost of the field, of its type, and of each argument given', () => {
    expect(cost('{ report { total } }')).toBe(50);
    expect(cost('{ thing { ... on Report { total } } }')).toBe(1);
    expect(cost('{ search(text: "x") { id } }')).toBe(1 + 7);
    expect(cost('{ search { id } }')).toBe(1);
  });

  it('charges every root mutation field 10, through fragments too', () => {
    expect(cost('mutation { make { id } }')).toBe(MUTATION_FIELD_COST);
    expect(cost('mutation { a: make { child { id } } b: drop }')).toBe(MUTATION_FIELD_COST + 1 + MUTATION_FIELD_COST);
    expect(cost('mutation { ...M } fragment M on Mutation { make { id } drop }')).toBe(2 * MUTATION_FIELD_COST);
  });

  it('adds every branch of a union (an upper bound)', () => {
    expect(cost('{ thing { ... on Item { child { id } } ... on Report { total } } }')).toBe(1 + 1 + 0);
  });

  it('measures a fragment bomb in linear time and saturates instead of overflowing', () => {
    // Each fragment spreads the previous one twice, each time under a list of 10: about 20^40 in all.
    const levels = 40;
    const defs = ['fragment F0 on Item { child { id } }'];
    for (let i = 1; i <= levels; i++) defs.push(`fragment F${i} on Item { a: children { ...F${i - 1} } b: children { ...F${i - 1} } }`);
    const q = `{ items { ...F${levels} } } ${defs.join(' ')}`;
    expect(cost(q)).toBe(SATURATED);
    expect(cost(`{ page(first: 2000000000) { edges { node { ...F${levels} } } } } ${defs.join(' ')}`)).toBe(SATURATED);
  });
});

describe('the cost directives of the composed supergraph', () => {
  const sdl = readFileSync(resolve(__dirname, '../schema/supergraph.graphql'), 'utf8');
  const api = Supergraph.build(sdl).apiSchema().toGraphQLJSSchema();
  const supergraph = costModelOf(sdl);
  const headline = (variables: Record<string, unknown>) => {
    const document = parse(HEADLINE_QUERY);
    return estimateCost(api, supergraph, document, getOperationAST(document)!, variables);
  };

  it('are read through the cost spec’s @link', () => {
    expect(supergraph.weights.get('User.spending')).toBe(20);
    expect(supergraph.listSizes.get('SpendingReport.lines')).toEqual({ slicingArguments: ['first'], sizedFields: ['edges'], requireOneSlicingArgument: false, assumedSize: undefined });
    expect(supergraph.listSizes.get('SpendingReport.byMonth')?.assumedSize).toBe(120);
  });

  it('are read under the names the link gives them', () => {
    const renamed = `schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/cost/v0.1", as: "price", import: [{ name: "@listSize", as: "@size" }]) { query: Query }
      type Query { a: [Int] @size(assumedSize: 3) @price(weight: 4) b: Int @cost(weight: 9) }`;
    const m = costModelOf(renamed);
    expect(m.weights.get('Query.a')).toBe(4);
    expect(m.listSizes.get('Query.a')?.assumedSize).toBe(3);
    // `@cost` is not the cost spec's directive in that supergraph.
    expect(m.weights.has('Query.b')).toBe(false);
  });

  it('put the headline request at its usual page sizes far below a page of 10,000 lines (the README’s figures)', () => {
    expect(headline({})).toBe(513);
    expect(headline({ first: 20 })).toBe(513);
    expect(headline({ first: 100 })).toBe(1313);
    expect(headline({ first: 10_000 })).toBe(100_313);
  });
});
