/**
 * Which coordinates a usage-aware check looks up for each kind of breaking change: what an operation must
 * have used to be broken — erring towards "used" (a required argument added breaks every call of the
 * field), and null where usage cannot tell (then the change stays breaking).
 */
import { buildSchema } from 'graphql';
import { classify } from './check';

const BEFORE = `
  directive @audit on FIELD_DEFINITION
  type Query { search(q: String, page: Int): [Car!]! car(vin: String!): Car byFilter(filter: Filter): [Car!]! }
  type Car { vin: String! colour: Colour! trims: [Trim!]! }
  union Trim = Basic | Premium
  type Basic { id: ID! }
  type Premium { id: ID! }
  enum Colour { RED BLUE }
  input Filter { colour: Colour text: String }
`;

async function coordinatesAfter(change: (sdl: string) => string) {
  const changes = await classify(buildSchema(BEFORE), buildSchema(change(BEFORE)));
  return changes.filter((c) => c.severity === 'breaking').map((c) => [c.type, c.coordinates]);
}

test.each([
  ['a field removed', (s: string) => s.replace(' colour: Colour!', ''), [['FIELD_REMOVED', ['Car.colour']]]],
  ['a field’s type changed', (s: string) => s.replace('vin: String! colour', 'vin: Int! colour'), [['FIELD_TYPE_CHANGED', ['Car.vin']]]],
  ['a required argument added: every call of the field', (s: string) => s.replace('car(vin: String!)', 'car(vin: String!, market: String!)'), [['FIELD_ARGUMENT_ADDED', ['Query.car']]]],
  ['an argument made required: every call of the field', (s: string) => s.replace('search(q: String,', 'search(q: String!,'), [['FIELD_ARGUMENT_TYPE_CHANGED', ['Query.search']]]],
  ['an argument’s type changed otherwise: calls that pass it', (s: string) => s.replace('page: Int)', 'page: String)'), [['FIELD_ARGUMENT_TYPE_CHANGED', ['Query.search(page:)']]]],
  ['an argument removed', (s: string) => s.replace(', page: Int', ''), [['FIELD_ARGUMENT_REMOVED', ['Query.search(page:)']]]],
  ['an input field removed', (s: string) => s.replace(' text: String }', ' }'), [['INPUT_FIELD_REMOVED', ['Filter.text']]]],
  ['a required input field added: every value of the type given', (s: string) => s.replace(' text: String }', ' text: String year: Int! }'), [['INPUT_FIELD_ADDED', ['Query.byFilter(filter:)']]]],
  ['an enum value removed: sending it, or a field that returns the enum', (s: string) => s.replace('RED BLUE', 'RED'), [['ENUM_VALUE_REMOVED', ['Car.colour', 'Colour.BLUE']]]],
  ['a union member removed: the fields returning the union', (s: string) => s.replace('Basic | Premium', 'Basic'), [['UNION_MEMBER_REMOVED', ['Car.trims']]]],
])('%s', async (_label, change, expected) => {
  expect(await coordinatesAfter(change)).toEqual(expected);
});

test('a type removed looks up every coordinate of it and every field returning it; a directive removed cannot be told by usage (null)', async () => {
  const removed = await coordinatesAfter((s) => s.replace(' trims: [Trim!]!', '').replace('union Trim = Basic | Premium', '').replace('type Premium { id: ID! }', ''));
  expect(removed).toContainEqual(['TYPE_REMOVED', ['Premium.*']]);
  expect(removed).toContainEqual(['TYPE_REMOVED', ['Car.trims', 'Trim.*']]);
  expect(await coordinatesAfter((s) => s.replace('directive @audit on FIELD_DEFINITION', ''))).toEqual([['DIRECTIVE_REMOVED', null]]);
});
