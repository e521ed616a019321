/**
 * The estimated cost of an operation, as the IBM GraphQL cost spec and Apollo Router's demand control
 * ("static estimated" strategy) compute it, from the `@cost` and `@listSize` directives of the subgraph
 * schemas. The API schema the gateway serves has them stripped, so they are read from the supergraph SDL
 * (`costModelOf`), where composition keeps them under the cost spec's `@link`.
 *
 * The rules, per field: its base cost is its `@cost(weight:)`, else the `@cost` of its type, else 1 for
 * an object, interface or union and 0 for a scalar or enum; a root mutation field's base is 10 (Apollo
 * charges 10 once per mutation operation; we charge it per root field, because every aliased mutation is
 * a write of its own). Its cost is (base + the cost of its selections) × how many instances a list holds,
 * plus the `@cost` of each argument given. A list holds: the largest slicing argument given (literal,
 * variable, the variable's default, the argument's default), else `assumedSize`, else `defaultListSize`;
 * with `sizedFields` that count applies to those fields of the returned object (a connection's `edges`)
 * instead. Inline fragments and fragments on other types are added, not maxed, as Apollo does (the
 * estimate is an upper bound). Introspection (`__schema`, `__type`, `__typename`) costs nothing: no
 * subgraph answers it (the introspection feature bounds it).
 *
 * Fragments are followed and each (fragment, list size it is sized by) is measured once, so the estimate
 * takes time linear in the document even for fragment bombs; counts saturate at `SATURATED` instead of
 * growing without bound.
 */
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  parse,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { SATURATED } from '../platform/limits';

/** The spec's `@listSize` on one field. */
export interface ListSize {
  assumedSize?: number;
  slicingArguments?: readonly string[];
  sizedFields?: readonly string[];
  requireOneSlicingArgument: boolean;
}

/** What the supergraph says about costs, by schema coordinate (`Type.field`, `Type.field(arg:)`, `Type`). */
export interface CostModel {
  weights: ReadonlyMap<string, number>;
  listSizes: ReadonlyMap<string, ListSize>;
}

export interface CostOptions {
  /** Instances of a list with no `@listSize` (Apollo Router's `static_estimated.list_size`). */
  defaultListSize: number;
}

export const DEFAULT_LIST_SIZE = 10;
/** Base cost of each root mutation field. */
export const MUTATION_FIELD_COST = 10;

const COST_SPEC = /^https:\/\/specs\.apollo\.dev\/cost\/v[\d.]+$/;

const sat = (n: number) => Math.min(n, SATURATED);

/**
 * The names `@cost` and `@listSize` have in this supergraph: the cost spec's `@link` may rename the spec
 * (`as:`) or import a directive under another name; without the link (an older composition) their own names.
 */
function directiveNames(doc: DocumentNode): { cost: string; listSize: string } {
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const args = Object.fromEntries((link.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
      if (typeof args.url !== 'string' || !COST_SPEC.test(args.url)) continue;
      const spec = typeof args.as === 'string' ? args.as : 'cost';
      const names = { cost: spec, listSize: `${spec}__listSize` };
      for (const imp of (Array.isArray(args.import) ? args.import : []) as unknown[]) {
        const [name, as] = typeof imp === 'string' ? [imp, imp] : [(imp as { name?: string }).name, (imp as { as?: string }).as ?? (imp as { name?: string }).name];
        if (name === '@listSize' && as) names.listSize = as.replace(/^@/, '');
        if (name === '@cost' && as) names.cost = as.replace(/^@/, '');
      }
      return names;
    }
  }
  return { cost: 'cost', listSize: 'listSize' };
}

/** The cost directives of a composed supergraph. */
export function costModelOf(supergraphSdl: string): CostModel {
  const doc = parse(supergraphSdl);
  const names = directiveNames(doc);
  const weights = new Map<string, number>();
  const listSizes = new Map<string, ListSize>();
  const read = (coordinate: string, directives: readonly DirectiveNode[] | undefined) => {
    for (const d of directives ?? []) {
      const args = Object.fromEntries((d.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)])) as Record<string, unknown>;
      if (d.name.value === names.cost && typeof args.weight === 'number') weights.set(coordinate, args.weight);
      if (d.name.value === names.listSize) {
        listSizes.set(coordinate, {
          assumedSize: typeof args.assumedSize === 'number' ? args.assumedSize : undefined,
          slicingArguments: Array.isArray(args.slicingArguments) ? (args.slicingArguments as string[]) : undefined,
          sizedFields: Array.isArray(args.sizedFields) ? (args.sizedFields as string[]) : undefined,
          requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
        });
      }
    }
  };
  for (const def of doc.definitions) {
    if (!('name' in def) || !def.name || def.kind === Kind.DIRECTIVE_DEFINITION) continue;
    const type = def.name.value;
    read(type, 'directives' in def ? def.directives : undefined);
    if ('fields' in def) {
      for (const f of def.fields ?? []) {
        read(`${type}.${f.name.value}`, f.directives);
        if ('arguments' in f) for (const a of f.arguments ?? []) read(`${type}.${f.name.value}(${a.name.value}:)`, a.directives);
      }
    }
  }
  return { weights, listSizes };
}

/** An integer a slicing argument was given, or undefined (absent, null, not a whole number). */
function intOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? Math.max(0, value) : undefined;
}

/**
 * The estimated cost of `operation` of `document` against `schema` (the API schema the request was
 * validated against), with `variables` as the request sent them.
 */
export function estimateCost(
  schema: GraphQLSchema,
  model: CostModel,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>> | undefined,
  opts: CostOptions = { defaultListSize: DEFAULT_LIST_SIZE },
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const variableDefaults = new Map<string, unknown>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) variableDefaults.set(v.variable.name.value, valueFromASTUntyped(v.defaultValue));

  const argumentValue = (node: ValueNode | undefined): unknown => {
    if (!node) return undefined;
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      return variables && variables[name] !== undefined ? variables[name] : variableDefaults.get(name);
    }
    return valueFromASTUntyped(node, variables as Record<string, unknown> | undefined);
  };

  /** How many instances the slicing arguments of `field` ask for, if any is given. */
  const sliced = (size: ListSize, node: FieldNode, def: GraphQLField<unknown, unknown>): number | undefined => {
    let largest: number | undefined;
    for (const name of size.slicingArguments ?? []) {
      const given = node.arguments?.find((a) => a.name.value === name);
      // Absent, null or not a whole number (coercion refuses that later): the argument's default, as the resolver would see.
      const n = (given ? intOf(argumentValue(given.value)) : undefined) ?? intOf(def.args.find((a) => a.name === name)?.defaultValue);
      if (n !== undefined) largest = Math.max(largest ?? 0, n);
    }
    return largest;
  };

  /** The list size a field with `sizedFields` hands to those fields of its selection. */
  type Sizing = { fields: ReadonlySet<string>; size: number } | undefined;

  const memo = new Map<string, number>();
  const measuring = new Set<string>();
  const ofFragment = (name: string, sizing: Sizing): number => {
    const key = sizing ? `${name}|${sizing.size}|${[...sizing.fields].join(',')}` : name;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    const type = fragment && schema.getType(fragment.typeCondition.name.value);
    // Unknown or cyclic fragments are refused by validation before this runs; here they cost nothing.
    if (!fragment || !type || !isCompositeType(type) || measuring.has(key)) return 0;
    measuring.add(key);
    const cost = ofSet(fragment.selectionSet, type, sizing, false);
    measuring.delete(key);
    memo.set(key, cost);
    return cost;
  };

  const ofField = (node: FieldNode, parent: GraphQLCompositeType, sizing: Sizing, mutationRoot: boolean): number => {
    const name = node.name.value;
    if (!isObjectType(parent) && !isInterfaceType(parent)) return 0;
    // Introspection fields (`__schema`, `__type`, `__typename`) are not among a type's fields: they cost nothing.
    const def = parent.getFields()[name];
    if (!def) return 0;
    const named = getNamedType(def.type);
    const coordinate = `${parent.name}.${name}`;
    const composite = isCompositeType(named);
    const base = model.weights.get(coordinate) ?? (mutationRoot ? MUTATION_FIELD_COST : (model.weights.get(named.name) ?? (composite ? 1 : 0)));
    const size = model.listSizes.get(coordinate);
    const childSizing: Sizing = size?.sizedFields?.length ? { fields: new Set(size.sizedFields), size: sliced(size, node, def) ?? size.assumedSize ?? opts.defaultListSize } : undefined;
    const children = node.selectionSet && composite ? ofSet(node.selectionSet, named, childSizing, false) : 0;
    let instances = 1;
    if (sizing?.fields.has(name)) instances = sizing.size;
    else if (isListType(getNullableType(def.type))) instances = size && !size.sizedFields?.length ? (sliced(size, node, def) ?? size.assumedSize ?? opts.defaultListSize) : opts.defaultListSize;
    let args = 0;
    for (const a of node.arguments ?? []) args = sat(args + (model.weights.get(`${coordinate}(${a.name.value}:)`) ?? 0));
    return sat(sat(sat(base + children) * instances) + args);
  };

  const ofSet = (set: SelectionSetNode, parent: GraphQLCompositeType, sizing: Sizing, root: boolean): number => {
    let cost = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) cost = sat(cost + ofField(sel, parent, sizing, root && operation.operation === 'mutation'));
      else if (sel.kind === Kind.FRAGMENT_SPREAD) cost = sat(cost + (root ? ofRootFragment(sel.name.value) : ofFragment(sel.name.value, sizing)));
      else {
        const type = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) cost = sat(cost + ofSet(sel.selectionSet, type, sizing, root));
      }
    }
    return cost;
  };
  /** A fragment spread at the root of a mutation: its fields are root mutation fields (measured once too). */
  const ofRootFragment = (name: string): number => {
    const key = `root|${name}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const fragment = fragments.get(name);
    const type = fragment && schema.getType(fragment.typeCondition.name.value);
    if (!fragment || !type || !isCompositeType(type) || measuring.has(key)) return 0;
    measuring.add(key);
    const cost = ofSet(fragment.selectionSet, type, undefined, true);
    measuring.delete(key);
    memo.set(key, cost);
    return cost;
  };

  const rootType = schema.getRootType(operation.operation);
  return rootType ? ofSet(operation.selectionSet, rootType, undefined, true) : 0;
}
