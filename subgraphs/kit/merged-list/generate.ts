/**
 * A list merged across every contributing subgraph — the schema side. The merging subgraph writes its
 * types by hand (the report, the page, the enum of categories and the union of subjects, both empty);
 * every contributor adds `<its name><suffix>` fields to the report and page types and declares its own
 * categories and subject types. From the contributors' schemas this generates the rest of the merger's
 * schema: each contribution field as `@external`, the `@requires` selection of every derived field, the
 * enum's values, the union's members and a stub for each subject type. Run again whenever the set of
 * contributors changes (a folder added, a partner published), so nobody edits the merger by hand.
 *
 * Each contributor returns a contribution type of its own (`OrdersSpendingBucket`, not one shared
 * `SpendingBucket`): every contribution field is a `@requires` field, and the stitching planner of Hive
 * Gateway (`@graphql-tools/stitch`) serves each such field from a subschema of its own in which the
 * field's value type is declared canonical, so one value type returned by the `@requires` fields of two
 * subgraphs is "canonical" twice and no request can be served. For the same reason the merger anchors
 * the shared types its derived fields return (`PageInfo`, `Money`) in an inaccessible type of its own.
 */
import { Kind, parse, print, type ConstDirectiveNode, type DocumentNode, type EnumValueDefinitionNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode } from 'graphql';
import type { PeerSchema } from '../module';

/** One entity type contributors add a field to, and the merger's fields computed from those fields. */
export interface MergedPart {
  /** e.g. `SpendingReport`. */
  type: string;
  /** A contributor named `finance` adds `finance<suffix>`, e.g. `financeBuckets`. */
  suffix: string;
  /**
   * The template of the contribution's element type in the merger's schema, e.g. `SpendingBucket`; every
   * field of it is required. Each contributor returns its own copy, `contributionType(part, name)`.
   */
  itemType: string;
  /** The merger's fields computed from every contribution, e.g. `total`. */
  derived: readonly string[];
}

export interface MergedListSpec {
  parts: readonly MergedPart[];
  /** Output-only enum each contributor adds its own values to (composition merges them). */
  categoryEnum: string;
  /** Union each contributor adds its own subject types to (composition merges them); null when items name no subject. */
  subjectUnion: string | null;
  /** What every contribution field must `@requires` (the real owner of the list), e.g. `internalUserId`. */
  contributionRequires: string;
}

/** One contributing subgraph as the merger sees it. */
export interface Contributor {
  name: string;
  categories: EnumValueDefinitionNode[];
  subjects: string[];
  /**
   * The owner's descriptions of each subject type and its `id`, copied onto the merger's stub: composition
   * keeps the description most subgraphs give, so a stub of its own would replace the owner's in the supergraph.
   */
  subjectDocs?: Record<string, { type?: string; id?: string }>;
}

/** The element type contributor `name` returns for `part`: its name, capitalised, then the template's (`orders` → `OrdersSpendingBucket`). */
export function contributionType(part: Pick<MergedPart, 'itemType'>, name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}${part.itemType}`;
}

/** A contributor or merger schema that does not fit the spec; the message names the subgraph and the fix. */
export class MergedListError extends Error {}

type Def = DocumentNode['definitions'][number];
const named = (d: Def, kinds: Kind[], name: string) => kinds.includes(d.kind) && 'name' in d && d.name?.value === name;
const OBJECT = [Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION];

function fieldsOf(doc: DocumentNode, type: string): FieldDefinitionNode[] {
  return doc.definitions.filter((d) => named(d, OBJECT, type)).flatMap((d) => [...((d as ObjectTypeDefinitionNode).fields ?? [])]);
}

const hasDirective = (f: FieldDefinitionNode, name: string) => (f.directives ?? []).some((d) => d.name.value === name);
const stringArg = (d: ConstDirectiveNode | undefined, arg: string) => {
  const v = d?.arguments?.find((a) => a.name.value === arg)?.value;
  return v?.kind === Kind.STRING ? v.value.trim() : undefined;
};

/**
 * Refuses a peer's field on a part type that could never be merged: a field it resolves there must be its
 * contribution, named `<peer><suffix>` and `@requires`-ing the real owner. A misnamed one would compose
 * and then silently leave that subgraph's money out; one without `@requires` would read analysts' lists
 * with a pseudonym.
 */
function checkContributionFields(spec: MergedListSpec, peer: PeerSchema): void {
  for (const part of spec.parts) {
    const defs = peer.typeDefs.definitions.filter((d) => named(d, OBJECT, part.type)) as ObjectTypeDefinitionNode[];
    const keyFields = new Set(defs.flatMap((d) => (d.directives ?? []).filter((x) => x.name.value === 'key').flatMap((k) => (stringArg(k, 'fields') ?? '').split(/\s+/))));
    const fields = defs.flatMap((d) => [...(d.fields ?? [])]);
    // The owner of the entity (catalog for `OwnershipQuote`) resolves what contributions require; its
    // other fields are the entity's own, not contributions.
    if (fields.some((f) => f.name.value === spec.contributionRequires && !hasDirective(f, 'external'))) continue;
    for (const f of fields) {
      if (keyFields.has(f.name.value) || hasDirective(f, 'external')) continue;
      const where = `${peer.name}: ${part.type}.${f.name.value}`;
      if (f.name.value !== `${peer.name}${part.suffix}`) {
        throw new MergedListError(`${where} would never be merged: a contribution to ${part.type} is named after its subgraph, ${peer.name}${part.suffix}`);
      }
      const type = contributionType(part, peer.name);
      if (print(f.type) !== `[${type}!]!`) {
        throw new MergedListError(`${where} must return [${type}!]!, a type of its own with the fields of ${part.itemType}: a stitching gateway (Hive Gateway) cannot serve one value type that several subgraphs' @requires fields return`);
      }
      const requires = (f.directives ?? []).find((d) => d.name.value === 'requires');
      if (stringArg(requires, 'fields') !== spec.contributionRequires) {
        throw new MergedListError(`${where} must declare @requires(fields: "${spec.contributionRequires}") (and ${spec.contributionRequires}: ID! @external): it reads the list of the real owner, never of a pseudonym`);
      }
    }
  }
}

/** The peers that contribute, in the peers' order, with what each declares. */
export function contributorsOf(spec: MergedListSpec, peers: readonly PeerSchema[]): Contributor[] {
  const out: Contributor[] = [];
  for (const peer of peers) {
    checkContributionFields(spec, peer);
    const present = spec.parts.map((p) => fieldsOf(peer.typeDefs, p.type).some((f) => f.name.value === `${peer.name}${p.suffix}`));
    if (!present.some(Boolean)) continue;
    const missing = spec.parts.filter((_, i) => !present[i]);
    if (missing.length) throw new MergedListError(`${peer.name} contributes to ${spec.parts.find((_, i) => present[i])!.type} but has no ${missing.map((p) => `${p.type}.${peer.name}${p.suffix}`).join(', ')}: a contributor adds a field to each of ${spec.parts.map((p) => p.type).join(' and ')}`);
    const categories = peer.typeDefs.definitions
      .filter((d) => named(d, [Kind.ENUM_TYPE_DEFINITION, Kind.ENUM_TYPE_EXTENSION], spec.categoryEnum))
      .flatMap((d) => [...((d as { values?: readonly EnumValueDefinitionNode[] }).values ?? [])]);
    const subjects = peer.typeDefs.definitions
      .filter((d) => spec.subjectUnion !== null && named(d, [Kind.UNION_TYPE_DEFINITION, Kind.UNION_TYPE_EXTENSION], spec.subjectUnion))
      .flatMap((d) => ((d as { types?: readonly { name: { value: string } }[] }).types ?? []).map((t) => t.name.value));
    if (!categories.length) throw new MergedListError(`${peer.name} contributes to ${spec.parts[0].type} but declares no value of enum ${spec.categoryEnum}: declare the categories its lines use`);
    for (const subject of subjects) {
      const keys = peer.typeDefs.definitions.filter((d) => named(d, OBJECT, subject)).flatMap((d) => [...((d as ObjectTypeDefinitionNode).directives ?? [])]).filter((x) => x.name.value === 'key');
      const idKey = keys.some((k) => k.arguments?.some((a) => a.name.value === 'fields' && a.value.kind === Kind.STRING && a.value.value.trim() === 'id'));
      if (!idKey) throw new MergedListError(`${peer.name}: subject type ${subject} of ${spec.subjectUnion} must be an entity with @key(fields: "id"), because a line names what it paid for by type and id`);
    }
    const subjectDocs: Record<string, { type?: string; id?: string }> = {};
    for (const subject of subjects) {
      const def = peer.typeDefs.definitions.find((d) => named(d, [Kind.OBJECT_TYPE_DEFINITION], subject)) as ObjectTypeDefinitionNode | undefined;
      subjectDocs[subject] = { type: def?.description?.value, id: def?.fields?.find((f) => f.name.value === 'id')?.description?.value };
    }
    out.push({ name: peer.name, categories, subjects, subjectDocs });
  }
  return out;
}

function leafSelection(base: DocumentNode, itemType: string): string {
  const fields = fieldsOf(base, itemType).map((f) => f.name.value);
  if (!fields.length) throw new MergedListError(`the merger's schema has no type ${itemType}`);
  return fields.join(' ');
}

function requiresDirective(fields: string): ConstDirectiveNode {
  return { kind: Kind.DIRECTIVE, name: { kind: Kind.NAME, value: 'requires' }, arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'fields' }, value: { kind: Kind.STRING, value: fields } }] };
}

function externalField(part: MergedPart, contributor: string): FieldDefinitionNode {
  const doc = parse(`type X { "Internal: the ${contributor} subgraph's contribution, merged here." ${contributor}${part.suffix}: [${contributionType(part, contributor)}!]! @external }`);
  return (doc.definitions[0] as ObjectTypeDefinitionNode).fields![0];
}

/** The contributor's element type as the merger declares it: the template under the contributor's name. */
function contributionTypeDef(part: MergedPart, template: ObjectTypeDefinitionNode, contributor: string): ObjectTypeDefinitionNode {
  const what = (template.description?.value ?? part.itemType).replace(/^Internal: /, '');
  return {
    ...template,
    name: { kind: Kind.NAME, value: contributionType(part, contributor) },
    description: { kind: Kind.STRING, value: `Internal: the ${contributor} subgraph's contribution, ${what.charAt(0).toLowerCase()}${what.slice(1)}`, block: false },
  };
}

/**
 * An inaccessible type naming every `@shareable` object type a derived field returns (`PageInfo`,
 * `Money`). A stitching gateway declares a value type canonical in the subschema of a `@requires` field
 * that returns it unless a plain field of the same subgraph returns it too; two mergers (spending and
 * timeline both return `PageInfo` from a `@requires` field) would otherwise both be canonical for it.
 */
function sharedTypesAnchor(spec: MergedListSpec, base: DocumentNode): Def[] {
  const shared = new Set<string>();
  for (const part of spec.parts) {
    for (const f of fieldsOf(base, part.type).filter((f) => part.derived.includes(f.name.value))) {
      let t = f.type;
      while (t.kind !== Kind.NAMED_TYPE) t = t.type;
      const def = base.definitions.find((d) => named(d, [Kind.OBJECT_TYPE_DEFINITION], t.name.value)) as ObjectTypeDefinitionNode | undefined;
      if (def?.directives?.some((d) => d.name.value === 'shareable')) shared.add(def.name.value);
    }
  }
  if (!shared.size) return [];
  const fields = [...shared].map((t) => `  "The shared type ${t}."\n  ${t.charAt(0).toLowerCase()}${t.slice(1)}: ${t}`).join('\n');
  const about = `Internal, never queried: names the shared types the derived fields of ${spec.parts.map((p) => p.type).join(' and ')} return, so that a stitching gateway (Hive Gateway) does not take this subgraph's @requires fields for their canonical definition.`;
  return [...parse(`${blockString(about)}\ntype ${spec.parts[0].type}SharedTypes @inaccessible {\n${fields}\n}`).definitions];
}

/** A description as SDL block string text. */
const blockString = (text: string) => `"""${text.replace(/"""/g, '\\"""')}"""`;

/** The merger's whole schema: its own `base` plus what the contributors imply. */
export function mergerTypeDefs(spec: MergedListSpec, base: DocumentNode, contributors: readonly Contributor[]): DocumentNode {
  if (!contributors.length) throw new MergedListError(`no subgraph contributes to ${spec.parts.map((p) => p.type).join(' / ')}: the merged list needs at least one contributor`);
  const categories = new Map<string, EnumValueDefinitionNode>();
  for (const c of contributors) for (const v of c.categories) if (!categories.has(v.name.value)) categories.set(v.name.value, v);
  const subjects = new Map<string, Contributor>();
  for (const c of contributors) for (const s of c.subjects) if (!subjects.has(s)) subjects.set(s, c);
  const definedHere = new Set(base.definitions.filter((d) => 'name' in d && d.name).map((d) => (d as { name: { value: string } }).name.value));

  const templates = new Set(spec.parts.map((p) => p.itemType));
  const contributionTypes = spec.parts.flatMap((part) => {
    const template = base.definitions.find((d) => named(d, [Kind.OBJECT_TYPE_DEFINITION], part.itemType)) as ObjectTypeDefinitionNode | undefined;
    if (!template) throw new MergedListError(`the merger's schema has no type ${part.itemType}`);
    return contributors.map((c) => contributionTypeDef(part, template, c.name));
  });
  const definitions = base.definitions.filter((d) => !(d.kind === Kind.OBJECT_TYPE_DEFINITION && templates.has(d.name.value))).map((d): Def => {
    const part = spec.parts.find((p) => named(d, [Kind.OBJECT_TYPE_DEFINITION], p.type));
    if (part) {
      const def = d as ObjectTypeDefinitionNode;
      const selection = contributors.map((c) => `${c.name}${part.suffix} { ${leafSelection(base, part.itemType)} }`).join(' ');
      const fields = (def.fields ?? []).map((f) => (part.derived.includes(f.name.value) ? { ...f, directives: [...(f.directives ?? []), requiresDirective(selection)] } : f));
      return { ...def, fields: [...fields, ...contributors.map((c) => externalField(part, c.name))] };
    }
    if (named(d, [Kind.ENUM_TYPE_DEFINITION], spec.categoryEnum)) return { ...(d as object), values: [...categories.values()] } as unknown as Def;
    if (spec.subjectUnion !== null && named(d, [Kind.UNION_TYPE_DEFINITION], spec.subjectUnion)) {
      return { ...(d as object), types: [...subjects.keys()].map((s) => ({ kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: s } })) } as unknown as Def;
    }
    return d;
  });
  for (const p of spec.parts) if (!definedHere.has(p.type)) throw new MergedListError(`the merger's schema must define type ${p.type}`);
  const stubs = [...subjects]
    .filter(([s]) => !definedHere.has(s))
    .map(([s, owner]) => {
      const docs = owner.subjectDocs?.[s] ?? {};
      return `${blockString(docs.type ?? `${s}: the ${owner.name} subgraph resolves it.`)}\ntype ${s} @key(fields: "id", resolvable: false) {\n  ${blockString(docs.id ?? 'Its id.')}\n  id: ID!\n}`;
    });
  const stubDoc = stubs.length ? parse(stubs.join('\n\n')) : { definitions: [] };
  return { kind: Kind.DOCUMENT, definitions: [...definitions, ...contributionTypes, ...sharedTypesAnchor(spec, base), ...stubDoc.definitions] };
}

/** The generated schema as SDL text with a header saying where it comes from. */
export function printMergerSchema(doc: DocumentNode, merger: string, contributors: readonly Contributor[]): string {
  return `# Generated by \`npm run compose\` from subgraphs/${merger}/schema.graphql and its contributors (${contributors.map((c) => c.name).join(', ')}). Do not edit.\n${print(doc)}\n`;
}
