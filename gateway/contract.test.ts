/**
 * The contract filter on small graphs composed by federation (so the tags arrive the way they do from
 * the real subgraphs): include/exclude precedence, inherited tags, empty and unreachable types, the
 * references removal takes with it, interfaces and unions.
 */
import { parse, printSchema, type GraphQLObjectType, type GraphQLSchema, type GraphQLInterfaceType } from 'graphql';
import { compose, formatProblems } from './composition';
import { contractApiSchema, ContractError, CONTRACTS, tagsOf, type ContractDefinition } from './contract';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.14", import: ["@key", "@tag", "@shareable"])\n';

function supergraph(...subgraphs: string[]): string {
  const outcome = compose(subgraphs.map((sdl, i) => ({ name: `s${i}`, routingUrl: `http://127.0.0.1:${5000 + i}/graphql`, typeDefs: parse(LINK + sdl) })));
  if (!outcome.ok) throw new Error(formatProblems(outcome.problems));
  return outcome.supergraphSdl;
}

const PARTNER: ContractDefinition = { name: 'partner', include: ['partner'], exclude: ['internal'] };
const fieldsOf = (schema: GraphQLSchema, type: string) => Object.keys((schema.getType(type) as GraphQLObjectType | undefined)?.getFields() ?? {});

test('include keeps only tagged fields (a type tag counts for each field); exclude wins over include', () => {
  const sdl = supergraph(`
    type Query { vehicle(vin: ID!): Vehicle @tag(name: "partner") audit: String }
    type Vehicle @key(fields: "vin") @tag(name: "partner") { vin: ID! model: String ownerPhone: String @tag(name: "internal") }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  expect(fieldsOf(schema, 'Query')).toEqual(['vehicle']);
  expect(fieldsOf(schema, 'Vehicle')).toEqual(['vin', 'model']);
  // Exclude only: everything stays but what is excluded.
  const excludeOnly = contractApiSchema(sdl, { name: 'x', include: [], exclude: ['internal'] });
  expect(fieldsOf(excludeOnly, 'Query')).toEqual(['vehicle', 'audit']);
  expect(fieldsOf(excludeOnly, 'Vehicle')).toEqual(['vin', 'model']);
  // A tag both included and excluded on one element: excluded.
  expect(fieldsOf(contractApiSchema(sdl, { name: 'y', include: ['partner', 'internal'], exclude: ['internal'] }), 'Vehicle')).toEqual(['vin', 'model']);
});

test('a type whose every field is excluded disappears, and so do the fields that return it', () => {
  const sdl = supergraph(`
    type Query { me: User @tag(name: "partner") note: Note @tag(name: "partner") notes: [Note!]! @tag(name: "partner") }
    type User @key(fields: "id") @tag(name: "partner") { id: ID! }
    type Note { body: String @tag(name: "internal") author: String @tag(name: "internal") }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  expect(schema.getType('Note')).toBeUndefined();
  expect(fieldsOf(schema, 'Query')).toEqual(['me']);
  expect(printSchema(schema)).not.toMatch(/Note/);
});

test('an excluded type takes the fields, arguments and input fields that reference it; a required one takes its field or input type', () => {
  const sdl = supergraph(`
    type Query {
      search(filter: Filter, secret: Secret): [Item!]! @tag(name: "partner")
      lookup(secret: Secret!): Item @tag(name: "partner")
      byInput(input: Wrapper!): Item @tag(name: "partner")
      kept: Item @tag(name: "partner")
    }
    type Item @tag(name: "partner") { id: ID! token: Token }
    scalar Token @tag(name: "internal")
    input Filter { name: String secret: Secret }
    input Wrapper { secret: Secret! }
    input Secret @tag(name: "internal") { value: String }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  const query = schema.getQueryType()!.getFields();
  expect(Object.keys(query)).toEqual(['search', 'kept']);
  expect(query.search.args.map((a) => a.name)).toEqual(['filter']);
  expect(Object.keys((schema.getType('Filter') as any).getFields())).toEqual(['name']);
  expect(schema.getType('Wrapper')).toBeUndefined();
  expect(schema.getType('Secret')).toBeUndefined();
  expect(schema.getType('Token')).toBeUndefined();
  expect(fieldsOf(schema, 'Item')).toEqual(['id']);
});

test('types nothing in the contract reaches are removed; types reached through a kept field, an interface or a union stay', () => {
  const sdl = supergraph(`
    type Query { shop: Shop @tag(name: "partner") admin: AdminPanel }
    type Shop @tag(name: "partner") { name: String kind: ShopKind }
    enum ShopKind { SERVICE FILM }
    type AdminPanel @tag(name: "partner") { users: Int }
    enum Unused { A }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  expect(schema.getType('ShopKind')).toBeDefined();
  // Tagged, but only reachable through an excluded field.
  expect(schema.getType('AdminPanel')).toBeUndefined();
  expect(schema.getType('Unused')).toBeUndefined();
});

test('interfaces: a field an implementation hides is hidden on the interface too; an excluded implementation leaves the interface', () => {
  const sdl = supergraph(`
    type Query { node: Node @tag(name: "partner") }
    interface Node @tag(name: "partner") { id: ID! label: String }
    type Store implements Node @tag(name: "partner") { id: ID! label: String @tag(name: "internal") city: String }
    type Ledger implements Node @tag(name: "internal") { id: ID! label: String }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  expect(Object.keys((schema.getType('Node') as GraphQLInterfaceType).getFields())).toEqual(['id']);
  expect(fieldsOf(schema, 'Store')).toEqual(['id', 'city']);
  expect(schema.getType('Ledger')).toBeUndefined();
  expect(schema.getPossibleTypes(schema.getType('Node') as GraphQLInterfaceType).map((t) => t.name)).toEqual(['Store']);
});

test('unions: an excluded member leaves the union, a union without members or without an included tag is gone with its fields', () => {
  const sdl = supergraph(`
    type Query { paid: PaidFor @tag(name: "partner") hidden: Hidden @tag(name: "partner") untagged: Untagged @tag(name: "partner") }
    union PaidFor @tag(name: "partner") = Order | Invoice
    union Hidden @tag(name: "partner") = Invoice
    union Untagged = Order
    type Order @tag(name: "partner") { id: ID! }
    type Invoice @tag(name: "internal") { id: ID! }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  expect(schema.getPossibleTypes(schema.getType('PaidFor') as any).map((t) => t.name)).toEqual(['Order']);
  expect(schema.getType('Hidden')).toBeUndefined();
  expect(schema.getType('Untagged')).toBeUndefined();
  expect(fieldsOf(schema, 'Query')).toEqual(['paid']);
});

test('enum values and arguments are excluded by tag; include does not ask them to be tagged', () => {
  const sdl = supergraph(`
    type Query { stores(kind: Kind, includeClosed: Boolean @tag(name: "internal")): [String!]! @tag(name: "partner") }
    enum Kind { SERVICE FILM AUDIT @tag(name: "internal") }
  `);
  const schema = contractApiSchema(sdl, PARTNER);
  expect(schema.getQueryType()!.getFields().stores.args.map((a) => a.name)).toEqual(['kind']);
  expect((schema.getType('Kind') as any).getValues().map((v: { name: string }) => v.name)).toEqual(['SERVICE', 'FILM']);
});

test('tags from every subgraph that defines a type count; a contract leaving Query empty is refused by name', () => {
  const sdl = supergraph(
    `type Query { a: String @shareable } type User @key(fields: "id") { id: ID! }`,
    `type Query { b: String @shareable @tag(name: "internal") } type User @key(fields: "id") @tag(name: "partner") { id: ID! plate: String }`,
  );
  expect(tagsOf(sdl).get('User')).toEqual(new Set(['partner']));
  expect(() => contractApiSchema(sdl, PARTNER)).toThrow(new ContractError('the contract "partner" leaves no field on Query: tag at least one of its fields with "partner"'));
});

test('the partner contract is the one defined', () => {
  expect(CONTRACTS.map((c) => c.name)).toEqual(['partner']);
});
