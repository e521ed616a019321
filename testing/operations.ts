/**
 * Calling any field of the graph with arguments built from its schema, for the sweeps over every
 * mutation and every by-id field: ids are real ones the walk found (see graph-walk.ts), everything
 * else a plain value of its type. What cannot be built fails, naming the argument.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import { sampleOf, type GraphSamples } from './graph-walk';
import { resolvedEntities } from './entities';
import { subgraphs } from '../subgraphs';

/** One scalar leaf of a field's arguments: `input.lines[0].unitPrice`, its own name and its scalar. */
export interface ArgumentLeaf {
  path: string;
  name: string;
  scalar: GraphQLScalarType;
}

/** An operation and its variables. */
export interface Call {
  query: string;
  variables: Record<string, unknown>;
}

/**
 * `field` of the root `operation` called with every required argument (and required input field) built by
 * `valueOf` for each scalar leaf; lists get one element, enums their first value, optional arguments none.
 */
export function callWith(schema: GraphQLSchema, operation: 'query' | 'mutation', field: GraphQLField<unknown, unknown>, valueOf: (leaf: ArgumentLeaf) => unknown): Call {
  const build = (type: GraphQLInputType, path: string, name: string): unknown => {
    if (isNonNullType(type)) return build(type.ofType, path, name);
    if (isListType(type)) return [build(type.ofType, `${path}[0]`, name)];
    if (isEnumType(type)) return type.getValues()[0].value;
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
      return Object.fromEntries(fields.map((f) => [f.name, build(f.type, `${path}.${f.name}`, f.name)]));
    }
    if (isScalarType(type)) return valueOf({ path, name, scalar: type });
    throw new Error(`${field.name}: cannot build ${path} of type ${String(type)}`);
  };
  const args = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const variables = Object.fromEntries(args.map((a) => [a.name, build(a.type, a.name, a.name)]));
  const declared = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return { query: `${operation}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`, variables };
}

/** A plain value of each scalar the graph takes, for arguments that name nothing. */
const PLAIN: Record<string, () => unknown> = {
  String: () => 'sweep',
  Int: () => 1,
  Float: () => 1,
  Boolean: () => false,
  Decimal: () => '1.00',
  DateTime: () => new Date(Date.now() + 86_400_000).toISOString(),
};

let singleKeys: Map<string, string> | undefined;
/** The entity types keyed by one field other than `id` (`vin` → Vehicle), from every subgraph folder. */
function singleKeyNames(): Map<string, string> {
  if (!singleKeys) {
    singleKeys = new Map();
    for (const e of subgraphs().flatMap((m) => resolvedEntities(m.name))) if (e.keyFields.length === 1 && e.keyFields[0] !== 'id') singleKeys.set(e.keyFields[0], e.type);
  }
  return singleKeys;
}

/**
 * The type an id-like argument leaf of `field` names, and which of its fields holds the id: `id` names
 * the field's own type; `<thing>Id` / `<thing>Ids` the one type the walk met whose name ends in `<Thing>`;
 * a single-field key's name (`vin`) its entity. Null for a leaf that is no id (a String such as `city`).
 */
export function idTargetOf(schema: GraphQLSchema, samples: GraphSamples, field: GraphQLField<unknown, unknown>, leaf: ArgumentLeaf): { type: string; key: string } | null {
  if (leaf.scalar.name !== 'ID' && leaf.scalar.name !== 'String') return null;
  if (leaf.name === 'id') return { type: getNamedType(field.type).name, key: 'id' };
  const keyed = singleKeyNames().get(leaf.name);
  if (keyed) return { type: keyed, key: leaf.name };
  const stem = /^(.+?)Ids?$/.exec(leaf.name)?.[1];
  if (!stem) {
    if (leaf.scalar.name === 'ID') throw new Error(`${field.name}(${leaf.path}): an ID argument named neither id, <thing>Id nor a key field, so the sweep cannot tell what it names`);
    return null;
  }
  const suffix = stem[0].toUpperCase() + stem.slice(1);
  const met = new Set([...samples.mine.keys(), ...samples.public.keys()]);
  const candidates = [...met].filter((t) => t.endsWith(suffix) && isObjectType(schema.getType(t)) && 'id' in (schema.getType(t) as { getFields(): object }).getFields());
  if (candidates.length !== 1) {
    throw new Error(`${field.name}(${leaf.path}) names a ${suffix}, and the sweep met ${candidates.length ? `several such types (${candidates.join(', ')})` : 'no type of that name with an id'}: give the test user one through the gateway`);
  }
  return { type: candidates[0], key: 'id' };
}

/**
 * Values aimed at the walked person: each id the real id of one of theirs (or a public one: a trim, a
 * store), each other scalar a plain value. Fails naming the argument when the walk met no such object.
 */
export function aimedAt(schema: GraphQLSchema, samples: GraphSamples, field: GraphQLField<unknown, unknown>): (leaf: ArgumentLeaf) => unknown {
  return (leaf) => {
    const target = idTargetOf(schema, samples, field, leaf);
    if (target) {
      const sample = sampleOf(samples, target.type);
      if (!sample || sample[target.key] == null) throw new Error(`${field.name}(${leaf.path}) takes a ${target.type}, and the walk met none: give the test user one through the gateway`);
      return sample[target.key];
    }
    const plain = PLAIN[leaf.scalar.name];
    if (!plain) throw new Error(`${field.name}(${leaf.path}): the sweep has no value for the scalar ${leaf.scalar.name}: add one to testing/operations.ts`);
    return plain();
  };
}
