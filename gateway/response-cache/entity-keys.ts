/**
 * The key fields of every entity type, read from the supergraph (`@join__type(key:)`), so that a cached
 * entity is tagged `entity:<Type>:<key>` by its key alone — not by the `@requires` fields its
 * representation also carries — and the admin can remove `entity:Trim:trim-ut-swap-420` by name.
 */
import { Kind, parse, type ConstValueNode } from 'graphql';

export type EntityKeys = ReadonlyMap<string, readonly string[]>;

export function entityKeysOf(supergraphSdl: string): EntityKeys {
  const keys = new Map<string, string[]>();
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const d of def.directives ?? []) {
      if (d.name.value !== 'join__type' || keys.has(def.name.value)) continue;
      const key = d.arguments?.find((a) => a.name.value === 'key')?.value as ConstValueNode | undefined;
      // Only plain field lists: a nested key (`owner { id }`) is tagged by its representation instead.
      if (key?.kind === Kind.STRING && /^[\w\s]+$/.test(key.value)) keys.set(def.name.value, key.value.trim().split(/\s+/));
    }
  }
  return keys;
}

/** The tag of one entity: `entity:Trim:trim-1`, or with a composite key `entity:T:["a","b"]`. */
export function entityTag(keys: EntityKeys, representation: Record<string, unknown>): string {
  const type = String(representation.__typename);
  const fields = keys.get(type);
  if (!fields) return `entity:${type}:${JSON.stringify(representation)}`;
  const values = fields.map((f) => representation[f]);
  return `entity:${type}:${values.length === 1 && typeof values[0] === 'string' ? values[0] : JSON.stringify(values)}`;
}
