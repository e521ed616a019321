/** What a folder's module is checked for when it is loaded: a schema that parses (saying where), resolver names. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { checkResolverNames, loadTypeDefs } from './module';

test('a schema that does not parse names the subgraph, the file, the line and the column', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'autograph-module-')), 'parking');
  mkdirSync(dir);
  writeFileSync(join(dir, 'schema.graphql'), 'type Query {\n  sessions: [Session!]!\n  broken(: Int\n}\n');
  expect(() => loadTypeDefs(dir)).toThrow(/the parking subgraph's schema does not parse: Syntax Error: .*\n\nsubgraphs\/parking\/schema\.graphql:3:10/);
});

test('resolvers for a field or type the schema does not have are refused (a typo would resolve nothing at run time)', () => {
  const typeDefs = parse('type Query { a: Int } type Report { parkingBuckets: [Int!]! } enum Colour { RED }');
  expect(() => checkResolverNames('parking', typeDefs, { Query: { a: () => 1 }, Report: { __resolveReference: () => ({}), parkingBuckets: () => [] }, Colour: { RED: 'red' } })).not.toThrow();
  expect(() => checkResolverNames('parking', typeDefs, { Report: { parkingsBuckets: () => [] } })).toThrow('subgraph parking: a resolver for Report.parkingsBuckets, which its schema does not have (a typo?)');
  expect(() => checkResolverNames('parking', typeDefs, { Reprot: {} })).toThrow('subgraph parking: resolvers for type Reprot, which its schema does not define');
});
