/**
 * `type:<T>` tags from what a subgraph fetch asks for, not only from the `__typename`s in its answer: the
 * query planner adds `__typename` only where it needs one (abstract types, entities), so a root answer
 * such as `{ colours { id name } }` names no type at all, and removing `type:Colour` would miss it. The
 * field types come from the supergraph (every subgraph's fields are in it); the fetch's own query is
 * walked once per distinct text (the planner sends the same few texts again and again).
 */
import { Kind, parse, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode, type TypeNode } from 'graphql';

/** `Parent.field` → the named type it returns, for every object and interface field of the supergraph. */
export type FieldTypes = ReadonlyMap<string, string>;

/** What the supergraph's SDL says each field returns (composite and leaf types alike; leaves end the walk). */
export function fieldTypesOf(supergraphSdl: string): FieldTypes {
  const named = (t: TypeNode): string => (t.kind === Kind.NAMED_TYPE ? t.name.value : named(t.type));
  const types = new Map<string, string>();
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    for (const f of def.fields ?? []) types.set(`${def.name.value}.${f.name.value}`, named(f.type));
  }
  return types;
}

/** Distinct query texts remembered with their tags; the planner's texts are few, a client's variables never reach them. */
const MAX_REMEMBERED = 2_000;
const remembered = new Map<string, { types: FieldTypes; tags: string[] }>();

/** The `type:` tags of every object type `query` selects (at most `limit`), its operation's root type included. */
export function typeTagsOfQuery(query: string, types: FieldTypes, limit: number): string[] {
  const known = remembered.get(query);
  if (known && known.types === types) return known.tags;
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch {
    return [];
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const found = new Set<string>();
  const seenFragments = new Set<string>();
  const walk = (parent: string, set: SelectionSetNode | undefined): void => {
    for (const s of set?.selections ?? []) {
      if (found.size >= limit) return;
      if (s.kind === Kind.FIELD) {
        const type = types.get(`${parent}.${s.name.value}`);
        if (type && s.selectionSet) {
          found.add(`type:${type}`);
          walk(type, s.selectionSet);
        } else if (s.selectionSet) walk(parent, s.selectionSet); // `_entities`: its fragments name the types
      } else if (s.kind === Kind.INLINE_FRAGMENT) {
        const type = s.typeCondition?.name.value ?? parent;
        if (type !== parent) found.add(`type:${type}`);
        walk(type, s.selectionSet);
      } else if (s.kind === Kind.FRAGMENT_SPREAD && !seenFragments.has(s.name.value)) {
        seenFragments.add(s.name.value);
        const f = fragments.get(s.name.value);
        if (f) {
          found.add(`type:${f.typeCondition.name.value}`);
          walk(f.typeCondition.name.value, f.selectionSet);
        }
      }
    }
  };
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    walk(d.operation === 'query' ? 'Query' : d.operation === 'mutation' ? 'Mutation' : 'Subscription', d.selectionSet);
  }
  const tags = [...found].slice(0, limit);
  if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
  remembered.set(query, { types, tags });
  return tags;
}
