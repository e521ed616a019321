/**
 * Which subgraphs a candidate takes fields from with `@override(from: "X")`. A field overridden from X is
 * resolved by the candidate instead of X from then on, so a partner overriding a field of a subgraph its
 * organisation does not hold would have the graph's traffic for that field (and the data in it) sent to
 * the partner. `access.ts` refuses such a candidate for partner callers; this file only reads the SDL.
 *
 * The directive is found under every name federation gives it: `@override`, the namespaced
 * `@<ns>__override` of the federation `@link` (`federation__override` by default, `<as>__override` when the
 * link says `as:`), and the alias an import gives it (`import: [{ name: "@override", as: "@take" }]`).
 * The bare `@override` is counted even when the import renames it: refusing a partner's own directive of
 * that name is safer than missing federation's.
 */
import { Kind, type ConstArgumentNode, type ConstDirectiveNode, type DocumentNode, type ConstValueNode } from 'graphql';

/** One `@override` in a candidate: the field it is on (`Type.field`) and the subgraph it takes it from. */
export interface Override {
  coordinate: string;
  from: string;
}

const FEDERATION_SPEC = /^https:\/\/specs\.apollo\.dev\/federation\/v/;

const argument = (d: ConstDirectiveNode, name: string): ConstValueNode | undefined => d.arguments?.find((a: ConstArgumentNode) => a.name.value === name)?.value;
const stringOf = (v: ConstValueNode | undefined): string | undefined => (v?.kind === Kind.STRING ? v.value : undefined);
const bare = (name: string) => name.replace(/^@/, '');

/** The directive names that mean federation's `@override` in `doc`, per its federation `@link`s. */
function overrideNames(doc: DocumentNode): Set<string> {
  const names = new Set(['override', 'federation__override']);
  for (const def of doc.definitions) {
    if (def.kind !== Kind.SCHEMA_DEFINITION && def.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of def.directives ?? []) {
      if (link.name.value !== 'link' || !FEDERATION_SPEC.test(stringOf(argument(link, 'url')) ?? '')) continue;
      const as = stringOf(argument(link, 'as'));
      if (as) names.add(`${bare(as)}__override`);
      const imports = argument(link, 'import');
      for (const item of imports?.kind === Kind.LIST ? imports.values : []) {
        if (item.kind !== Kind.OBJECT) continue;
        const field = (n: string) => stringOf(item.fields.find((f) => f.name.value === n)?.value);
        const alias = field('as');
        if (field('name') === '@override' && alias) names.add(bare(alias));
      }
    }
  }
  return names;
}

/** Every `@override` in `doc`, on the fields of its object and interface types and their extensions. */
export function overridesIn(doc: DocumentNode): Override[] {
  const names = overrideNames(doc);
  const found: Override[] = [];
  for (const def of doc.definitions) {
    if (!('fields' in def) || !def.fields || !('name' in def) || !def.name) continue;
    for (const field of def.fields) {
      for (const d of field.directives ?? []) {
        if (!names.has(d.name.value)) continue;
        const from = argument(d, 'from');
        // A `from` that is not a string does not compose; it is named as written so the refusal still says which.
        found.push({ coordinate: `${def.name.value}.${field.name.value}`, from: stringOf(from) ?? (from ? JSON.stringify(from.kind) : '') });
      }
    }
  }
  return found;
}
