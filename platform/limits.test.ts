import { parse, validate, buildSchema, Kind, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_LIMITS, SATURATED, measure, operationLimitsRule, subgraphLimits } from './limits';

function measured(doc: string) {
  const ast = parse(doc);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  return measure((ast.definitions[0] as OperationDefinitionNode).selectionSet, fragments);
}

/** `levels` fragments, each spreading the previous one twice: the document grows by one line a level, what it stands for doubles. */
function bomb(levels: number, first = 'a: me { id }'): string {
  let doc = `query Bomb { ...F${levels} } fragment F0 on Query { ${first} }`;
  for (let i = 1; i <= levels; i++) doc += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
  return doc;
}

describe('operation limits: measuring', () => {
  test('depth counts fields, not fragments, and follows named fragments', () => {
    expect(measured('{ a { b { c } } }')).toMatchObject({ depth: 3, aliases: 0, fields: 3 });
    expect(measured('{ a { ...F } } fragment F on T { b { ... on U { c { d } } } }')).toMatchObject({ depth: 4, aliases: 0, fields: 4 });
  });
  test('aliases and fields are counted everywhere, including inside fragments used twice', () => {
    expect(measured('{ x: a y: a { z: b } ...F ...F } fragment F on Q { w: a }')).toMatchObject({ depth: 2, aliases: 5, fields: 5 });
  });
  test('root fields are the fields of the set itself, through fragments and inline fragments, each use counted', () => {
    expect(measured('{ a { b c } d }').topFields).toBe(2);
    expect(measured('{ a ...F ...F ... on Q { e f } } fragment F on Q { b { c } d }').topFields).toBe(1 + 2 + 2 + 2);
  });
  test('directives are counted on fields, spreads, inline fragments and fragment definitions, each use counted', () => {
    expect(measured('{ a @skip(if: true) { b @include(if: true) } }').directives).toBe(2);
    expect(measured('{ ...F @skip(if: false) ...F ... @include(if: true) { c @x } } fragment F on Q @y { a @z }').directives).toBe(1 + 2 * 2 + 1 + 1);
  });
  test('a cyclic fragment does not loop', () => {
    expect(measured('{ ...F } fragment F on Q { a { ...F } }').depth).toBe(1);
  });
  test('a fragment bomb is measured exactly, each fragment once: 100 levels take milliseconds, not 2^100 steps', () => {
    expect(measured(bomb(27))).toEqual({ depth: 2, aliases: 2 ** 27, fields: 2 ** 28, topFields: 2 ** 27, directives: 0 });
    const started = Date.now();
    const huge = measured(bomb(100));
    expect(huge).toEqual({ depth: 2, aliases: SATURATED, fields: SATURATED, topFields: SATURATED, directives: 0 });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('operation limits: the validation rule', () => {
  const schema = buildSchema('type Query { me: User } type User { id: ID! }');
  const errorsOf = (doc: string) => validate(schema, parse(doc), [operationLimitsRule(DEFAULT_LIMITS)]).map((e) => e.message);

  test('a count too big to keep exactly is reported as at least that much', () => {
    expect(errorsOf(bomb(100))).toEqual([
      `operation Bomb uses at least ${SATURATED} aliases; the limit is 30`,
      `operation Bomb selects at least ${SATURATED} fields once its fragments are written out; the limit is 5000 (the token limit)`,
      `operation Bomb selects at least ${SATURATED} root fields; the limit is 15 (MAX_ROOT_FIELDS)`,
    ]);
  });
  test('fragments shared by two operations are measured for each', () => {
    const limits = { ...DEFAULT_LIMITS, maxRootFields: 100 };
    const errors = (doc: string) => validate(schema, parse(doc), [operationLimitsRule(limits)]).map((e) => e.message);
    expect(errors(`query A { ...F4 } query B { ...F4 } ${bomb(4).replace(/^query Bomb \{ \.\.\.F4 \} /, '')}`)).toEqual([]);
    expect(errors(`query A { ...F5 } query B { ...F5 } ${bomb(5).replace(/^query Bomb \{ \.\.\.F5 \} /, '')}`)).toEqual([
      'operation A uses 32 aliases; the limit is 30',
      'operation B uses 32 aliases; the limit is 30',
    ]);
  });
  test('root fields and directives: one over the limit is refused naming the limit and the count, at the limit passes', () => {
    const limits = { ...DEFAULT_LIMITS, maxRootFields: 3, maxDirectives: 2 };
    const errors = (doc: string) => validate(schema, parse(doc), [operationLimitsRule(limits)]).map((e) => e.message);
    expect(errors('query R { a: me { id } b: me { id } c: me { id } }')).toEqual([]);
    expect(errors('query R { a: me { id } b: me { id } ...F } fragment F on Query { c: me { id } d: me { id } }')).toEqual(['operation R selects 4 root fields; the limit is 3 (MAX_ROOT_FIELDS)']);
    expect(errors('query D($s: Boolean!) { me @include(if: $s) { id @skip(if: $s) } }')).toEqual([]);
    expect(errors('query D($s: Boolean!) @q { me @include(if: $s) { id @skip(if: $s) } }')).toEqual(['operation D uses 3 directives; the limit is 2 (MAX_DIRECTIVES)']);
  });
});

describe('the limits a subgraph applies', () => {
  test('leave room for the planner (one level for _entities, two for @requires, its own aliases and key fields) and no more', () => {
    expect(subgraphLimits(DEFAULT_LIMITS)).toEqual({ maxDepth: 18, maxAliases: 60, maxTokens: 10000, maxRootFields: 15, maxDirectives: 100 });
  });
});
