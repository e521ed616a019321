/**
 * The entities each subgraph resolves from a representation, read from the schema it serves, for the
 * sweeps that call subgraphs directly (`_entities`, as the gateway does) across every folder.
 */
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { servedSubgraphSchema } from './harness';
import { callable } from './graph-walk';

/** One field a subgraph resolves for an entity. */
export interface ResolvedField {
  name: string;
  /** The field with a little of what hangs off it (two levels of the subgraph's own leaves). */
  selection: string;
  /** Its `@requires` selections, which the gateway sends in the representation. */
  requires: SelectionSetNode[];
}

/** One entity type as one subgraph resolves it. */
export interface ResolvedEntity {
  subgraph: string;
  type: string;
  /** The fields of its (first resolvable) `@key`. */
  keyFields: string[];
  /** Every field this subgraph resolves for it: not its key, not `@external`. */
  fields: ResolvedField[];
  /** The subgraph's own type, to build required values against. */
  objectType: GraphQLObjectType;
}

const directives = (f: GraphQLField<unknown, unknown>) => f.astNode?.directives ?? [];
const has = (f: GraphQLField<unknown, unknown>, name: string) => directives(f).some((d) => d.name.value === name);
const stringArg = (d: ConstDirectiveNode, name: string) => {
  const v = d.arguments?.find((a) => a.name.value === name)?.value;
  return v?.kind === Kind.STRING ? v.value : v?.kind === Kind.BOOLEAN ? String(v.value) : undefined;
};
const selectionSet = (fields: string) => (parse(`{ ${fields} }`).definitions[0] as OperationDefinitionNode).selectionSet;

/** A field's own value and `depth` levels of what hangs off it: leaves the subgraph resolves by itself. */
function selectionOf(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named)) return '{ __typename }';
  const parts = ['__typename'];
  for (const f of Object.values(named.getFields())) {
    if (has(f, 'external') || has(f, 'requires') || !callable(f)) continue;
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) parts.push(f.name);
    else if (depth > 0 && isCompositeType(inner)) parts.push(`${f.name} ${selectionOf(f.type, depth - 1)}`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** Every entity type `subgraph` resolves: `@key` on it, not `resolvable: false`. */
export function resolvedEntities(subgraph: string): ResolvedEntity[] {
  const schema = servedSubgraphSchema(subgraph);
  const out: ResolvedEntity[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('_')) continue;
    const keys = [type.astNode, ...type.extensionASTNodes].flatMap((n) => n?.directives ?? []).filter((d) => d.name.value === 'key');
    const key = keys.find((d) => stringArg(d, 'resolvable') !== 'false');
    if (!key) continue;
    const keySelection = selectionSet(stringArg(key, 'fields')!);
    const keyFields = keySelection.selections.map((s) => {
      if (s.kind !== Kind.FIELD || s.selectionSet) throw new Error(`${subgraph}: ${type.name}'s key ${stringArg(key, 'fields')} is not flat, which the direct-call sweep does not build`);
      return s.name.value;
    });
    const fields = Object.values(type.getFields())
      .filter((f) => !keyFields.includes(f.name) && !has(f, 'external') && callable(f))
      .map((f) => ({
        name: f.name,
        selection: `${f.name} ${selectionOf(f.type, 2)}`,
        requires: directives(f).filter((d) => d.name.value === 'requires').map((d) => selectionSet(stringArg(d, 'fields')!)),
      }));
    out.push({ subgraph, type: type.name, keyFields, fields, objectType: type });
  }
  return out;
}

/**
 * Values for what `field` requires, shaped by the subgraph's types, as a gateway would send them for
 * `personId`: every id and string is that person's id (the internal ids the owner hands over), lists are
 * empty, nullable fields null. A scalar it cannot make up fails, naming it.
 */
export function requiredValues(entity: ResolvedEntity, field: ResolvedField, personId: string): Record<string, unknown> {
  const valueOf = (type: GraphQLOutputType, selection: SelectionSetNode | undefined, path: string): unknown => {
    if (!isNonNullType(type)) return null;
    const inner = type.ofType;
    if (isListType(inner)) return [];
    if (isEnumType(inner)) return inner.getValues()[0].name;
    if (isObjectType(inner)) return objectOf(inner, selection!, path);
    if (isScalarType(inner)) {
      const made: Record<string, unknown> = { ID: personId, String: personId, Int: 0, Float: 0, Boolean: false, Decimal: '0.00', DateTime: '2026-01-01T00:00:00.000Z' };
      if (!(inner.name in made)) throw new Error(`the direct-call sweep cannot make up a ${inner.name} for ${entity.subgraph} ${path}: teach testing/entities.ts requiredValues`);
      return made[inner.name];
    }
    if (isAbstractType(inner)) throw new Error(`the direct-call sweep cannot make up an abstract ${inner.name} for ${entity.subgraph} ${path}`);
    return null;
  };
  const objectOf = (type: GraphQLObjectType, selection: SelectionSetNode, path: string) => {
    const out: Record<string, unknown> = {};
    for (const s of selection.selections) {
      if (s.kind !== Kind.FIELD) continue;
      const field = type.getFields()[s.name.value];
      out[s.name.value] = valueOf(field.type, s.selectionSet, `${path}.${s.name.value}`);
    }
    return out;
  };
  return Object.assign({}, ...field.requires.map((r) => objectOf(entity.objectType, r, entity.type)));
}
