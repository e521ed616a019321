/**
 * Derived subgraphs: a subgraph whose SDL is computed from the rest of the graph (the spending merger,
 * whose `@requires`, `@external` fields, category values and subject members come from its contributors).
 * Every change the registry checks or applies computes the set of subgraphs it would leave, re-derives
 * each derived subgraph in that set from the others and makes it a candidate of the same change when its
 * SDL differs — so publishing, removing or rolling back a contributor moves the merger with it in one
 * supergraph, and removing a contributor does not leave the merger `@requires`-ing fields that are gone.
 *
 * The registry knows no subgraph code (`.dependency-cruiser.js`): how to derive is injected
 * (`RegistryOptions.derived`, built by the scripts from the tree's modules).
 */
import { Kind, parse, type DocumentNode } from 'graphql';
import type { CompositionProblem } from '../gateway/composition';
import type { Candidate } from './check';
import type { CurrentVersion } from './store';

/** A subgraph the registry derives: `derive` gets every other (non-derived) subgraph of the graph, by name. */
export interface DerivedSubgraph {
  name: string;
  /** The SDL this subgraph serves among `peers`; throws (with a message a publisher can act on) when it cannot. */
  derive(peers: Array<{ name: string; sdl: string }>): string;
}

/** What a change did to one derived subgraph, for the answer (and the CLI). */
export interface DerivedChange {
  name: string;
  /** It was among the candidates sent, and the SDL sent was not the derived one: the derived one is used. */
  replacedSent: boolean;
  /** Schema coordinates (`Type.field`, `Enum.VALUE`, `Union|Member`) the derived SDL adds and drops. */
  added: string[];
  removed: string[];
}

export type Derivation =
  | {
      ok: true;
      /** The candidates sent, less the derived names sent with another SDL than the derived one (that one is in `derived`). */
      offered: Candidate[];
      /** Each derived subgraph of the resulting graph whose SDL or URL differs from its current version. */
      derived: Candidate[];
      /** Every derived subgraph of the resulting graph that changes, or whose sent SDL was replaced. */
      changes: DerivedChange[];
    }
  | { ok: false; errors: CompositionProblem[] };

type Definition = DocumentNode['definitions'][number];

/** The coordinates a schema defines, to say in a few words what a re-derivation changed. */
function coordinatesOf(doc: DocumentNode | null): Set<string> {
  const out = new Set<string>();
  for (const d of doc?.definitions ?? []) {
    const def = d as Definition & { name?: { value: string }; fields?: ReadonlyArray<{ name: { value: string } }>; values?: ReadonlyArray<{ name: { value: string } }>; types?: ReadonlyArray<{ name: { value: string } }> };
    if (!def.name || d.kind === Kind.SCHEMA_EXTENSION || d.kind === Kind.DIRECTIVE_DEFINITION) continue;
    const type = def.name.value;
    out.add(type);
    for (const f of def.fields ?? []) out.add(`${type}.${f.name.value}`);
    for (const v of def.values ?? []) out.add(`${type}.${v.name.value}`);
    for (const t of def.types ?? []) out.add(`${type}|${t.name.value}`);
  }
  return out;
}

function difference(before: string | null, after: DocumentNode): { added: string[]; removed: string[] } {
  const was = coordinatesOf(before === null ? null : parse(before));
  const is = coordinatesOf(after);
  return { added: [...is].filter((c) => !was.has(c)).sort(), removed: [...was].filter((c) => !is.has(c)).sort() };
}

/**
 * The change (`candidates` replacing or adding names, `removing` taken out) with every derived subgraph it
 * leaves in the graph re-derived from the others. A derived subgraph's routing URL is the one sent for it
 * in this change, else its current one; a derived subgraph not in the resulting graph is left alone.
 */
export function deriveChange(current: readonly CurrentVersion[], candidates: readonly Candidate[], removing: readonly string[], derivedSubgraphs: readonly DerivedSubgraph[]): Derivation {
  const resulting = new Map<string, { routingUrl: string; sdl: string }>(current.map((v) => [v.name, { routingUrl: v.routingUrl, sdl: v.sdl }]));
  for (const name of removing) resulting.delete(name);
  for (const c of candidates) resulting.set(c.name, { routingUrl: c.routingUrl, sdl: c.sdl });
  const derivedNames = new Set(derivedSubgraphs.map((d) => d.name));
  // Derived subgraphs are derived from the others only, never from each other's output, so derivation cannot loop.
  const peers = [...resulting].filter(([name]) => !derivedNames.has(name)).map(([name, v]) => ({ name, sdl: v.sdl }));
  const currentByName = new Map(current.map((v) => [v.name, v]));
  const derived: Candidate[] = [];
  const changes: DerivedChange[] = [];
  const errors: CompositionProblem[] = [];
  const sentAsDerived = new Set<string>();
  for (const d of derivedSubgraphs) {
    const inGraph = resulting.get(d.name);
    if (!inGraph) continue;
    let sdl: string;
    let typeDefs: DocumentNode;
    try {
      sdl = d.derive(peers);
      typeDefs = parse(sdl);
    } catch (err) {
      errors.push({
        code: 'DERIVATION_FAILED',
        message: `${d.name} is derived from the other subgraphs and cannot be derived from this graph: ${(err as Error).message}`,
        subgraphs: [d.name, ...candidates.filter((c) => !derivedNames.has(c.name)).map((c) => c.name), ...removing],
        locations: [],
      });
      continue;
    }
    const sent = candidates.find((c) => c.name === d.name);
    if (sent?.sdl === sdl) {
      // Sent exactly as derived (publish-tree sends the tree's generated schema): an ordinary candidate.
      sentAsDerived.add(d.name);
      continue;
    }
    const now = currentByName.get(d.name);
    const replacedSent = sent !== undefined && sent.sdl !== sdl;
    const differs = now?.sdl !== sdl || now?.routingUrl !== inGraph.routingUrl;
    if (differs) derived.push({ name: d.name, routingUrl: inGraph.routingUrl, sdl, typeDefs });
    if (differs || replacedSent) changes.push({ name: d.name, replacedSent, ...difference(now?.sdl ?? null, typeDefs) });
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, offered: candidates.filter((c) => !derivedNames.has(c.name) || sentAsDerived.has(c.name)), derived, changes };
}

/** Who a derived version is recorded as published by: the registry, and the change that moved it. */
export function derivedPublisher(publisher: string, sent: boolean, after: readonly string[]): string {
  const shown = after.length > 4 ? [...after.slice(0, 3), `${after.length - 3} more`] : after;
  const because = shown.length ? `registry: derived after ${shown.join(', ')}` : 'registry: derived';
  return sent ? `${publisher} (${because})` : because;
}
