/**
 * Calling any field of the graph with arguments built from its schema, for the sweeps over every
 * mutation and every by-id field: ids are real ones the walk found (see graph-walk.ts), everything
 * else a plain value of its type. What cannot be built fails, naming the argument.
 */
import {
  astFromValue,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  print,
  type GraphQLEnumType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLScalarType,
  type GraphQLSchema,
} from 'graphql';
import type { GraphSamples } from './graph-walk';
import { resolvedEntities } from './entities';
import { subgraphs } from '../subgraphs';

/** One leaf of a field's arguments: `input.lines[0].unitPrice`, its own name, its scalar or enum type, and whether null is a value of it. */
export interface ArgumentLeaf {
  path: string;
  name: string;
  type: GraphQLScalarType | GraphQLEnumType;
  nullable: boolean;
}

/** An operation and its variables; `inline()` writes the same operation with every argument as a literal. */
export interface Call {
  query: string;
  variables: Record<string, unknown>;
  inline(): string;
}

/**
 * `field` of the root `operation` called with every required argument (and required input field), and
 * the optional ones whose path `include` accepts, built by `valueOf` for each scalar or enum leaf; lists
 * get one element.
 */
export function callWith(
  schema: GraphQLSchema,
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  valueOf: (leaf: ArgumentLeaf) => unknown,
  include: (path: string) => boolean = () => false,
): Call {
  const wanted = (path: string, type: GraphQLInputType, defaultValue: unknown) => (isNonNullType(type) && defaultValue === undefined) || include(path);
  const build = (type: GraphQLInputType, path: string, name: string, nullable = true): unknown => {
    if (isNonNullType(type)) return build(type.ofType, path, name, false);
    if (isListType(type)) return [build(type.ofType, `${path}[0]`, name)];
    if (isInputObjectType(type)) {
      const fields = Object.values(type.getFields()).filter((f) => wanted(`${path}.${f.name}`, f.type, f.defaultValue));
      return Object.fromEntries(fields.map((f) => [f.name, build(f.type, `${path}.${f.name}`, f.name)]));
    }
    if (isScalarType(type) || isEnumType(type)) return valueOf({ path, name, type, nullable });
    throw new Error(`${field.name}: cannot build ${path} of type ${String(type)}`);
  };
  const args = field.args.filter((a) => wanted(a.name, a.type, a.defaultValue));
  const variables = Object.fromEntries(args.map((a) => [a.name, build(a.type, a.name, a.name)]));
  const declared = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  const literal = (a: (typeof args)[number]) => {
    const ast = astFromValue(variables[a.name], a.type);
    if (!ast) throw new Error(`${field.name}(${a.name}): ${JSON.stringify(variables[a.name])} has no literal form`);
    return `${a.name}: ${print(ast)}`;
  };
  return {
    query: `${operation}${declared ? `(${declared})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${selection} }`,
    variables,
    inline: () => `${operation} { ${field.name}${args.length ? `(${args.map(literal).join(', ')})` : ''}${selection} }`,
  };
}

/** Every scalar or enum leaf of `field`'s arguments, optional ones included (`input.tradeInId`). */
export function argumentLeaves(field: GraphQLField<unknown, unknown>): ArgumentLeaf[] {
  const leaves: ArgumentLeaf[] = [];
  const walk = (type: GraphQLInputType, path: string, name: string, seen: ReadonlySet<string>): void => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (isListType(inner)) walk(inner.ofType, `${path}[0]`, name, seen);
    else if (isScalarType(inner) || isEnumType(inner)) leaves.push({ path, name, type: inner, nullable: !isNonNullType(type) });
    else if (isInputObjectType(inner) && !seen.has(inner.name)) {
      for (const f of Object.values(inner.getFields())) walk(f.type, `${path}.${f.name}`, f.name, new Set([...seen, inner.name]));
    }
  };
  for (const a of field.args) walk(a.type, a.name, a.name, new Set());
  return leaves;
}

/** A plain value of each built-in scalar, for arguments that name nothing the walk met (amounts and times: candidatesFor). */
const PLAIN: Record<string, () => unknown> = {
  String: () => 'sweep',
  Int: () => 1,
  Float: () => 1,
  Boolean: () => false,
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
  if (leaf.type.name !== 'ID' && leaf.type.name !== 'String') return null;
  if (leaf.name === 'id') return { type: getNamedType(field.type).name, key: 'id' };
  const keyed = singleKeyNames().get(leaf.name);
  if (keyed) return { type: keyed, key: leaf.name };
  const stem = /^(.+?)Ids?$/.exec(leaf.name)?.[1];
  if (!stem) {
    if (leaf.type.name === 'ID') throw new Error(`${field.name}(${leaf.path}): an ID argument named neither id, <thing>Id nor a key field, so the sweep cannot tell what it names`);
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

/** Values objects the walk met hold in a field of this name and type (`termMonths`, `city`, `serviceType`). */
function heldBy(samples: GraphSamples, leaf: ArgumentLeaf): unknown[] {
  const fits = (v: unknown) => (isEnumType(leaf.type) ? leaf.type.getValues().some((e) => e.value === v) : typeof v === typeof PLAIN[leaf.type.name]?.());
  const held = [...samples.mine.values(), ...samples.public.values()].flat().map((o) => o[leaf.name]);
  return held.filter((v) => v != null && fits(v));
}

/** Distinct values, first ones first. */
const distinct = (values: unknown[]) => [...new Map(values.map((v) => [JSON.stringify(v), v])).values()];

/**
 * Values for each argument leaf of `field` aimed at the walked person, most plausible first: for an id
 * the real ids of theirs (or public ones: trims, stores) of the type it names; for other arguments what
 * met objects hold under the same name (a real term, city or service type), then a plain value of the
 * type. Amounts are `1.00`; times tomorrow, then just past (bookings are ahead, records behind). Fails
 * naming the argument when the walk met no object it takes.
 */
export function candidatesFor(schema: GraphQLSchema, samples: GraphSamples, field: GraphQLField<unknown, unknown>): (leaf: ArgumentLeaf) => unknown[] {
  return (leaf) => {
    const target = idTargetOf(schema, samples, field, leaf);
    if (target) {
      const ids = [...(samples.mine.get(target.type) ?? []), ...(samples.public.get(target.type) ?? [])].map((o) => o[target.key]).filter((v) => v != null);
      if (!ids.length) throw new Error(`${field.name}(${leaf.path}) takes a ${target.type}, and the walk met none: give the test user one through the gateway`);
      return distinct(ids);
    }
    if (isEnumType(leaf.type)) return distinct([...heldBy(samples, leaf), ...leaf.type.getValues().map((e) => e.value)]);
    if (leaf.type.name === 'Decimal') return ['1.00'];
    if (leaf.type.name === 'DateTime') return [1_440, -2, -1].map((minutes) => new Date(Date.now() + minutes * 60_000).toISOString());
    const plain = PLAIN[leaf.type.name];
    if (!plain) throw new Error(`${field.name}(${leaf.path}): the sweep has no value for the scalar ${leaf.type.name}: add one to testing/operations.ts`);
    return distinct([...heldBy(samples, leaf), plain()]);
  };
}

/** The first candidate of each leaf: one call aimed at the walked person. */
export function aimedAt(schema: GraphQLSchema, samples: GraphSamples, field: GraphQLField<unknown, unknown>): (leaf: ArgumentLeaf) => unknown {
  const candidates = candidatesFor(schema, samples, field);
  return (leaf) => candidates(leaf)[0];
}

/**
 * Builds a call of `field` whose arguments pass its input checks: it sends the first candidates as `who`,
 * and while the answer is BAD_USER_INPUT naming an argument that has another candidate, takes the next
 * one (a store that does modifications, a time in the past). `fixed` pins leaves the caller chooses.
 * Returns the argument chooser it settled on, for calls that differ only in a fixed leaf.
 */
export async function reachingChoice(
  send: (call: Call) => Promise<{ errors?: Array<{ extensions?: Record<string, unknown> }> }>,
  schema: GraphQLSchema,
  operation: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  candidates: (leaf: ArgumentLeaf) => unknown[],
  fixed: (leaf: ArgumentLeaf) => unknown,
  include?: (path: string) => boolean,
): Promise<(leaf: ArgumentLeaf) => unknown> {
  const choice = new Map<string, number>();
  const chooser = (leaf: ArgumentLeaf) => fixed(leaf) ?? candidates(leaf)[choice.get(leaf.path) ?? 0];
  for (let attempt = 0; attempt < 20; attempt++) {
    const leaves: ArgumentLeaf[] = [];
    const res = await send(callWith(schema, operation, field, (leaf) => (leaves.push(leaf), chooser(leaf)), include));
    const error = res.errors?.[0]?.extensions;
    if (error?.code !== 'BAD_USER_INPUT' || typeof error.field !== 'string') break;
    const named = error.field;
    const leaf = leaves.find((l) => (l.path === named || l.path.endsWith(`.${named}`) || l.name === named) && fixed(l) === undefined);
    const next = leaf ? (choice.get(leaf.path) ?? 0) + 1 : Infinity;
    if (!leaf || next >= candidates(leaf).length) break;
    choice.set(leaf.path, next);
  }
  return chooser;
}
