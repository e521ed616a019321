import { parse, Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { measure } from './limits';
import { startTestGraph, as, type TestGraph } from './testing';

function measured(doc: string) {
  const ast = parse(doc);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return measure((ast.definitions[0] as OperationDefinitionNode).selectionSet, fragments);
}

describe('operation limits: measuring', () => {
  test('depth counts fields, not fragments, and follows named fragments', () => {
    expect(measured('{ a { b { c } } }')).toEqual({ depth: 3, aliases: 0 });
    expect(measured('{ a { ...F } } fragment F on T { b { ... on U { c { d } } } }')).toEqual({ depth: 4, aliases: 0 });
  });
  test('aliases are counted everywhere, including inside fragments used twice', () => {
    expect(measured('{ x: a y: a { z: b } ...F ...F } fragment F on Q { w: a }')).toEqual({ depth: 2, aliases: 5 });
  });
  test('a cyclic fragment does not loop', () => {
    expect(measured('{ ...F } fragment F on Q { a { ...F } }').depth).toBe(1);
  });
});

describe('operation limits through the gateway', () => {
  let g: TestGraph;
  beforeAll(async () => {
    g = await startTestGraph();
  });
  afterAll(async () => g.stop());

  test('the headline request with every link fits the limits', async () => {
    const res = await g.gql(`{ me { spending { lines(first: 1) { edges { node { paidFor { ... on Instalment { loan { order { trim { model { name } } } } } } } } } } } }`, {}, as.customer('u-limits'));
    expect(res.errors).toBeUndefined();
  });

  test('a query nested beyond the depth limit is refused before any subgraph is asked', async () => {
    let inner = 'id';
    for (let i = 0; i < 5; i++) inner = `orders(first: 1) { edges { node { buyer { ${inner} } } } }`; // 4 levels a turn
    const deep = `{ me { ${inner} } }`;
    const before = g.db.statementCount;
    const res = await g.gql(deep, {}, as.customer('u-limits'));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/is 22 levels deep; the limit is 15/);
    expect(g.db.statementCount).toBe(before);
  });

  test('too many aliases are refused', async () => {
    const res = await g.gql(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { id }`).join(' ')} }`, {}, as.customer('u-limits'));
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toMatch(/40 aliases; the limit is 30/);
  });

  test('a document with too many tokens is refused by the parser', async () => {
    const res = await g.gql(`{ me { id ${'__typename '.repeat(6000)} } }`, {}, as.customer('u-limits'));
    expect(res.status).toBe(400);
    expect(res.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.errors?.[0].message).toMatch(/more that 5000 tokens/);
  });
});
