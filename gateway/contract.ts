/**
 * Contracts: a variant of the graph's API schema filtered by `@tag`, for consumers who must see only part
 * of it (partners). Pure: from a supergraph SDL and a contract definition, the contract's API schema.
 *
 * The filter follows GraphOS contracts (Apollo's "Contract reference"), which Hive's contracts share:
 *  - a tag on an object or interface type counts as a tag on each of its fields;
 *  - with `include` tags, a field of an object or interface type stays only when it (or its type) carries
 *    one of them, and so does a union type; a type without an included tag stays when one of its fields
 *    does. Enums, scalars, inputs, arguments, enum values and input fields are not subject to `include`
 *    (nobody tags every argument): they go only when excluded, or when nothing left reaches them;
 *  - an `exclude` tag removes the element it is on, whatever else it carries (exclude wins);
 *  - a type whose every field is removed is removed, a union whose every member is removed is removed;
 *  - unreachable types are removed (GraphOS `--hide-unreachable-types`, Hive "remove unreachable types"),
 *    always: a type nothing in the contract leads to is still a name a partner should not learn.
 * Where GraphOS and Hive refuse a contract with a dangling reference (a kept field returning a removed
 * type), this removes the reference instead and goes on until nothing dangles: a field whose type is
 * removed goes, an argument or input field whose type is removed goes, and when that argument or input
 * field was required, the field or input type that needs it goes too. Removing is the direction that can
 * never show a partner more than its tags allow. One step further than both: a field removed from an
 * object type removes the same field from the interfaces that type implements, since asking the
 * interface would otherwise read the hidden field of that object.
 * The only refusal left is a contract that leaves no field on Query (`ContractError`).
 */
import { Supergraph } from '@apollo/federation-internals';
import {
  assertValidSchema,
  buildASTSchema,
  Kind,
  parse,
  printSchema,
  type DirectiveNode,
  type DefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLSchema,
  type InputValueDefinitionNode,
  type TypeNode,
} from 'graphql';

/** What a contract keeps: elements tagged with an `include` tag (all when empty), minus those tagged with an `exclude` tag. */
export interface ContractDefinition {
  name: string;
  include: readonly string[];
  exclude: readonly string[];
}

/** The contract partners get: what is tagged `partner`, never what is tagged `internal`. */
export const PARTNER_CONTRACT: ContractDefinition = { name: 'partner', include: ['partner'], exclude: ['internal'] };

/** Every contract the graph defines, by name (what `npm run compose` writes to schema/contracts/<name>.graphql). */
export const CONTRACTS: readonly ContractDefinition[] = [PARTNER_CONTRACT];

/** A contract that cannot be served (it leaves nothing to query); the message names the contract. */
export class ContractError extends Error {}

/** Tags by schema coordinate: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field`. */
export type TagIndex = ReadonlyMap<string, ReadonlySet<string>>;

/** The name `@tag` goes by in a supergraph (`@link(url: ".../tag/v0.3", as: ...)`), `tag` by default. */
function tagDirectiveName(doc: DocumentNode): string {
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      const url = link.arguments?.find((a) => a.name.value === 'url')?.value;
      if (link.name.value !== 'link' || url?.kind !== Kind.STRING || !/\/tag\/v\d/.test(url.value)) continue;
      const as = link.arguments?.find((a) => a.name.value === 'as')?.value;
      return as?.kind === Kind.STRING ? as.value : 'tag';
    }
  }
  return 'tag';
}

/** Every `@tag` of a supergraph (or any SDL), by the coordinate of the element it is on. */
export function tagsOf(sdl: string | DocumentNode): TagIndex {
  const doc = typeof sdl === 'string' ? parse(sdl) : sdl;
  const directive = tagDirectiveName(doc);
  const index = new Map<string, Set<string>>();
  const add = (coordinate: string, directives: readonly DirectiveNode[] | undefined) => {
    for (const d of directives ?? []) {
      const name = d.arguments?.find((a) => a.name.value === 'name')?.value;
      if (d.name.value !== directive || name?.kind !== Kind.STRING) continue;
      if (!index.has(coordinate)) index.set(coordinate, new Set());
      index.get(coordinate)!.add(name.value);
    }
  };
  for (const def of doc.definitions) {
    if (!('name' in def) || !def.name || def.kind === Kind.DIRECTIVE_DEFINITION || !('directives' in def)) continue;
    const type = def.name.value;
    add(type, def.directives);
    if ('fields' in def) {
      for (const field of (def.fields ?? []) as ReadonlyArray<FieldDefinitionNode | InputValueDefinitionNode>) {
        add(`${type}.${field.name.value}`, field.directives);
        for (const arg of ('arguments' in field ? field.arguments : undefined) ?? []) add(`${type}.${field.name.value}(${arg.name.value}:)`, arg.directives);
      }
    }
    if ('values' in def) for (const value of def.values ?? []) add(`${type}.${value.name.value}`, value.directives);
  }
  return index;
}

const namedType = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type));
const required = (input: InputValueDefinitionNode) => input.type.kind === Kind.NON_NULL_TYPE && !input.defaultValue;

type TypeDef = Extract<DefinitionNode, { kind: Kind.OBJECT_TYPE_DEFINITION | Kind.INTERFACE_TYPE_DEFINITION | Kind.UNION_TYPE_DEFINITION | Kind.ENUM_TYPE_DEFINITION | Kind.INPUT_OBJECT_TYPE_DEFINITION | Kind.SCALAR_TYPE_DEFINITION }>;

/**
 * Filters an API schema by the tags of the supergraph it came from. `api`: the graph's API schema
 * (the gateway's own, or `Supergraph.build(sdl).apiSchema()`), `tags`: `tagsOf(supergraphSdl)`.
 */
export function filterApiSchema(api: GraphQLSchema, tags: TagIndex, contract: ContractDefinition): GraphQLSchema {
  const include = new Set(contract.include);
  const exclude = new Set(contract.exclude);
  const tagsAt = (coordinate: string) => [...(tags.get(coordinate) ?? [])];
  const isExcluded = (found: string[]) => found.some((t) => exclude.has(t));
  const isIncluded = (found: string[]) => include.size === 0 || found.some((t) => include.has(t));

  const doc = parse(printSchema(api));
  const types = new Map<string, TypeDef>();
  for (const def of doc.definitions) if ('name' in def && def.kind !== Kind.DIRECTIVE_DEFINITION && def.name) types.set(def.name.value, def as TypeDef);
  /** Removed elements by coordinate (types by name). */
  const removed = new Set<string>();
  const gone = (coordinate: string) => removed.has(coordinate);
  let changed = true;
  const remove = (coordinate: string) => {
    if (removed.has(coordinate)) return;
    removed.add(coordinate);
    changed = true;
  };

  // The tags themselves.
  for (const [name, def] of types) {
    const typeTags = tagsAt(name);
    if (isExcluded(typeTags)) remove(name);
    if (def.kind === Kind.UNION_TYPE_DEFINITION && !isIncluded(typeTags)) remove(name);
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      for (const field of def.fields ?? []) {
        const at = `${name}.${field.name.value}`;
        const effective = [...typeTags, ...tagsAt(at)];
        if (isExcluded(effective) || !isIncluded(effective)) remove(at);
        for (const arg of field.arguments ?? []) if (isExcluded(tagsAt(`${at}(${arg.name.value}:)`))) remove(`${at}(${arg.name.value}:)`);
      }
    }
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) for (const value of def.values ?? []) if (isExcluded(tagsAt(`${name}.${value.name.value}`))) remove(`${name}.${value.name.value}`);
    if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) for (const field of def.fields ?? []) if (isExcluded(tagsAt(`${name}.${field.name.value}`))) remove(`${name}.${field.name.value}`);
  }

  // What the removals take with them, until nothing dangles.
  while (changed) {
    changed = false;
    for (const [name, def] of types) {
      if (gone(name)) continue;
      if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
        for (const field of def.fields ?? []) {
          const at = `${name}.${field.name.value}`;
          if (gone(at)) continue;
          if (gone(namedType(field.type))) remove(at);
          for (const arg of field.arguments ?? []) {
            const argAt = `${at}(${arg.name.value}:)`;
            if (!gone(argAt) && gone(namedType(arg.type))) remove(argAt);
            if (gone(argAt) && required(arg)) remove(at);
          }
        }
        // Whatever this type hides, the interfaces it implements hide too.
        for (const iface of def.interfaces ?? []) {
          const parent = types.get(iface.name.value);
          if (!parent || gone(iface.name.value) || parent.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
          for (const field of parent.fields ?? []) {
            const mine = `${name}.${field.name.value}`;
            if (gone(mine)) remove(`${iface.name.value}.${field.name.value}`);
            for (const arg of field.arguments ?? []) if (gone(`${mine}(${arg.name.value}:)`)) remove(`${iface.name.value}.${field.name.value}(${arg.name.value}:)`);
          }
        }
        if ((def.fields ?? []).every((f) => gone(`${name}.${f.name.value}`))) remove(name);
      } else if (def.kind === Kind.UNION_TYPE_DEFINITION) {
        if ((def.types ?? []).every((member) => gone(member.name.value))) remove(name);
      } else if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
        if ((def.values ?? []).every((v) => gone(`${name}.${v.name.value}`))) remove(name);
      } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
        for (const field of def.fields ?? []) {
          const at = `${name}.${field.name.value}`;
          if (!gone(at) && gone(namedType(field.type))) remove(at);
          if (gone(at) && required(field)) remove(name);
        }
        if ((def.fields ?? []).every((f) => gone(`${name}.${f.name.value}`))) remove(name);
      }
    }
  }

  const roots = [api.getQueryType(), api.getMutationType(), api.getSubscriptionType()].filter((t) => t !== null && t !== undefined).map((t) => t!.name);
  const queryName = api.getQueryType()?.name ?? 'Query';
  if (gone(queryName)) throw new ContractError(`the contract "${contract.name}" leaves no field on ${queryName}: tag at least one of its fields with ${[...include].map((t) => `"${t}"`).join(' or ') || 'a tag it does not exclude'}`);

  // Reachability from the root types (and the directives' arguments, which are always there).
  const reachable = new Set<string>();
  const implementers = new Map<string, string[]>();
  for (const [name, def] of types) {
    if (gone(name) || (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION)) continue;
    for (const iface of def.interfaces ?? []) implementers.set(iface.name.value, [...(implementers.get(iface.name.value) ?? []), name]);
  }
  const queue = roots.filter((r) => !gone(r));
  for (const def of doc.definitions) if (def.kind === Kind.DIRECTIVE_DEFINITION) for (const arg of def.arguments ?? []) queue.push(namedType(arg.type));
  while (queue.length) {
    const name = queue.pop()!;
    if (reachable.has(name) || gone(name)) continue;
    reachable.add(name);
    const def = types.get(name);
    if (!def) continue;
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      for (const field of def.fields ?? []) {
        if (gone(`${name}.${field.name.value}`)) continue;
        queue.push(namedType(field.type));
        for (const arg of field.arguments ?? []) if (!gone(`${name}.${field.name.value}(${arg.name.value}:)`)) queue.push(namedType(arg.type));
      }
      for (const iface of def.interfaces ?? []) queue.push(iface.name.value);
      queue.push(...(implementers.get(name) ?? []));
    } else if (def.kind === Kind.UNION_TYPE_DEFINITION) {
      queue.push(...(def.types ?? []).map((t) => t.name.value));
    } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      for (const field of def.fields ?? []) if (!gone(`${name}.${field.name.value}`)) queue.push(namedType(field.type));
    }
  }
  const kept = (name: string) => reachable.has(name) && !gone(name);

  const definitions: DefinitionNode[] = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.DIRECTIVE_DEFINITION) {
      definitions.push(def);
      continue;
    }
    if (def.kind === Kind.SCHEMA_DEFINITION) {
      definitions.push({ ...def, operationTypes: def.operationTypes.filter((op) => kept(op.type.name.value)) });
      continue;
    }
    const name = (def as TypeDef).name.value;
    if (!kept(name)) continue;
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      definitions.push({
        ...def,
        interfaces: def.interfaces?.filter((i) => kept(i.name.value)),
        fields: def.fields
          ?.filter((f) => !gone(`${name}.${f.name.value}`))
          .map((f) => ({ ...f, arguments: f.arguments?.filter((a) => !gone(`${name}.${f.name.value}(${a.name.value}:)`)) })),
      });
    } else if (def.kind === Kind.UNION_TYPE_DEFINITION) {
      definitions.push({ ...def, types: def.types?.filter((t) => kept(t.name.value)) });
    } else if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
      definitions.push({ ...def, values: def.values?.filter((v) => !gone(`${name}.${v.name.value}`)) });
    } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
      definitions.push({ ...def, fields: def.fields?.filter((f) => !gone(`${name}.${f.name.value}`)) });
    } else {
      definitions.push(def);
    }
  }
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema({ kind: Kind.DOCUMENT, definitions });
    assertValidSchema(schema);
  } catch (err) {
    throw new ContractError(`the contract "${contract.name}" does not make a valid schema: ${(err as Error).message}`);
  }
  return schema;
}

/** The contract's API schema of a supergraph. `api`: that supergraph's API schema when the caller has it (the gateway does). */
export function contractApiSchema(supergraphSdl: string, contract: ContractDefinition, api?: GraphQLSchema): GraphQLSchema {
  const apiSchema = api ?? Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
  return filterApiSchema(apiSchema, tagsOf(supergraphSdl), contract);
}

/** The contract's API schema as SDL, for review (`schema/contracts/<name>.graphql`). */
export function contractSdl(supergraphSdl: string, contract: ContractDefinition): string {
  return printSchema(contractApiSchema(supergraphSdl, contract));
}
