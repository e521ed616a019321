/**
 * The schema is the frontend teams' documentation: every type, field, argument, enum value and
 * input field a client can see carries a description, in every subgraph.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, visit, type ASTNode } from 'graphql';
import { subgraphs } from '.';

const DESCRIBED = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
  Kind.ENUM_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.SCALAR_TYPE_DEFINITION,
  Kind.FIELD_DEFINITION,
  Kind.INPUT_VALUE_DEFINITION,
  Kind.ENUM_VALUE_DEFINITION,
]);

/** Entity stubs (`@key(..., resolvable: false)` with only key fields) document nothing new: the owner describes them. */
function isStub(node: ASTNode): boolean {
  return (
    node.kind === Kind.OBJECT_TYPE_DEFINITION &&
    (node.directives ?? []).some((d) => d.name.value === 'key' && (d.arguments ?? []).some((a) => a.name.value === 'resolvable' && a.value.kind === Kind.BOOLEAN && !a.value.value))
  );
}

describe.each(subgraphs().map((m) => m.name))('%s/schema.graphql', (name) => {
  test('describes every type, field, argument, enum value and input field', () => {
    const doc = parse(readFileSync(join(__dirname, name, 'schema.graphql'), 'utf8'));
    const missing: string[] = [];
    const path: string[] = [];
    visit(doc, {
      enter(node, _key, _parent, _path, ancestors) {
        if (isStub(node)) return false;
        if (!DESCRIBED.has(node.kind)) return undefined;
        const named = node as { name: { value: string }; description?: { value: string } };
        path.push(named.name.value);
        const inStub = ancestors.some((a) => !Array.isArray(a) && isStub(a as ASTNode));
        // The root types need no prose of their own; each of their fields is checked.
        const isRoot = node.kind === Kind.OBJECT_TYPE_DEFINITION && ['Query', 'Mutation'].includes(named.name.value);
        if (!inStub && !isRoot && !named.description?.value.trim()) missing.push(path.join('.'));
        return undefined;
      },
      leave(node) {
        if (DESCRIBED.has(node.kind)) path.pop();
      },
    });
    expect(missing).toEqual([]);
  });
});
