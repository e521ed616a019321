/**
 * Walking the graph as clients see it, for the sweeps that must cover every subgraph without naming
 * one: the gateway's API schema (by introspection), a selection of everything reachable from a type,
 * and the objects an answer holds, by type — real ids for the sweeps to aim at.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isLeafType,
  isNonNullType,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { as, type TestGraph, type TestGraphOptions } from './harness';
import { defaultDemandControl } from '../gateway/features/demand-control';
import { ok } from './assertions';
import type { Identity } from '../platform/identity';

/** The schema clients see: the gateway's API schema, read by introspection through the gateway. */
export async function apiSchema(g: TestGraph): Promise<GraphQLSchema> {
  return buildClientSchema(ok(await g.gql(getIntrospectionQuery(), {}, as.admin())));
}

/** A field that can be selected without arguments (every argument optional). */
export const callable = (f: GraphQLField<unknown, unknown>) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined);

const fieldsOf = (t: GraphQLObjectType, only?: readonly string[]) => Object.values(t.getFields()).filter((f) => callable(f) && (!only || only.includes(f.name)));

/**
 * A selection of everything reachable from `root` (from its fields named in `only`, or all of them):
 * every leaf field wherever its type occurs, and each composite type's own fields expanded once, at its
 * shallowest occurrence (breadth first). So the selection reaches every type and field the caller can
 * reach, stays linear in the size of the schema, and has no cycles. Every object carries `__typename`.
 */
export function selectEverything(schema: GraphQLSchema, root: GraphQLCompositeType, only?: readonly string[]): string {
  // Where each type is expanded: `Parent.field`, or `Union|Member` for a member of an abstract type.
  const expandedAt = new Map<string, string>([[root.name, '']]);
  const queue: GraphQLCompositeType[] = [root];
  while (queue.length) {
    const t = queue.shift()!;
    const children: Array<[string, GraphQLCompositeType]> = isAbstractType(t)
      ? schema.getPossibleTypes(t).map((m) => [`${t.name}|${m.name}`, m])
      : fieldsOf(t, t === root ? only : undefined).flatMap((f) => {
          const named = getNamedType(f.type);
          return isCompositeType(named) ? [[`${t.name}.${f.name}`, named] as [string, GraphQLCompositeType]] : [];
        });
    for (const [edge, child] of children) {
      if (!expandedAt.has(child.name)) {
        expandedAt.set(child.name, edge);
        queue.push(child);
      }
    }
  }
  // Members of an abstract type may share a field name with different types, which one selection
  // cannot hold: those fields are aliased `<field>__<Member>` (collectObjects reads them back by name).
  const body = (t: GraphQLCompositeType, full: boolean, clashing: ReadonlySet<string> = new Set()): string => {
    if (isAbstractType(t)) {
      const members = schema.getPossibleTypes(t);
      const typesOf = (name: string) => new Set(members.flatMap((m) => (m.getFields()[name] ? [String(m.getFields()[name].type)] : [])));
      const clash = new Set(members.flatMap((m) => Object.keys(m.getFields())).filter((name) => typesOf(name).size > 1));
      return ['__typename', ...members.map((m) => `... on ${m.name} { ${body(m, full && expandedAt.get(m.name) === `${t.name}|${m.name}`, clash)} }`)].join(' ');
    }
    const parts = ['__typename'];
    for (const f of fieldsOf(t, t === root ? only : undefined)) {
      const named = getNamedType(f.type);
      const name = clashing.has(f.name) ? `${f.name}${MEMBER_ALIAS}${t.name}: ${f.name}` : f.name;
      if (isLeafType(named)) parts.push(name);
      else if (full && isCompositeType(named)) parts.push(`${name} { ${body(named, expandedAt.get(named.name) === `${t.name}.${f.name}`)} }`);
    }
    return parts.join(' ');
  };
  return body(root, true);
}

/**
 * How a graph that is walked is started (`startTestGraph({ ...WALKED_GRAPH })`): a walk selects everything
 * reachable in one operation, which no client does (`me` with everything is estimated at about 15,000, a
 * partner's delivery queue with everything at about 93,000, over a customer's and a partner's budgets), so
 * demand control measures it instead of refusing it. Without this the walk would find nothing where it is
 * refused — silently, for the anonymous walk, which ignores errors.
 */
export const WALKED_GRAPH: TestGraphOptions = { gatewayConfig: { demandControl: { ...defaultDemandControl('production'), mode: 'measure' } } };

/** Objects found in answers, by `__typename`, in the order met. */
export type Samples = Map<string, Array<Record<string, unknown>>>;

const MEMBER_ALIAS = '__';

/** Adds every object of `value` that carries a `__typename` to `into`, its member-aliased fields by their own names. */
export function collectObjects(value: unknown, into: Samples = new Map()): Samples {
  if (Array.isArray(value)) for (const v of value) collectObjects(v, into);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.__typename === 'string') {
      const suffix = `${MEMBER_ALIAS}${o.__typename}`;
      const own = Object.fromEntries(Object.entries(o).map(([k, v]) => [k.endsWith(suffix) ? k.slice(0, -suffix.length) : k, v]));
      into.set(o.__typename, [...(into.get(o.__typename) ?? []), own]);
    }
    for (const v of Object.values(o)) collectObjects(v, into);
  }
  return into;
}

/**
 * Everything reachable from the root query fields `roots` (each sent on its own, so one refusal hides
 * nothing else), asked as `identity`, by type. With `strict`, any error fails: the caller's own data
 * must answer in full.
 */
export async function sampleObjects(g: TestGraph, schema: GraphQLSchema, identity: Identity | null, roots: readonly string[], strict = false): Promise<Samples> {
  const samples: Samples = new Map();
  const query = schema.getQueryType()!;
  for (const name of roots) {
    const field = query.getFields()[name];
    const named = getNamedType(field.type);
    const res = await g.gql(isCompositeType(named) ? `{ ${name} { ${selectEverything(schema, named)} } }` : `{ ${name} }`, {}, identity);
    collectObjects(strict ? ok(res) : res.data, samples);
  }
  return samples;
}

/** The root query fields anyone may select without arguments: where a public walk starts. */
export const argumentFreeRoots = (schema: GraphQLSchema) => Object.values(schema.getQueryType()!.getFields()).filter(callable).map((f) => f.name);

/**
 * What a person's walk (`me`, as them) and an anonymous walk (every argument-free root) found. A type
 * the anonymous caller met is public (the catalog, stores, stations); one only the person met is theirs.
 */
export interface GraphSamples {
  mine: Samples;
  public: Samples;
}

export async function sampleGraph(g: TestGraph, schema: GraphQLSchema, person: Identity): Promise<GraphSamples> {
  const [mine, anonymous] = [await sampleObjects(g, schema, person, ['me'], true), await sampleObjects(g, schema, null, argumentFreeRoots(schema))];
  return { mine, public: anonymous };
}

/** True for a type only the person's walk met: their own data, which no one else may read. */
export const isPersonal = (samples: GraphSamples, type: string) => samples.mine.has(type) && !samples.public.has(type);

/** One real object of `type` (the person's own first, else a public one), or undefined when neither walk met one. */
export const sampleOf = (samples: GraphSamples, type: string) => samples.mine.get(type)?.[0] ?? samples.public.get(type)?.[0];
