/**
 * Composition: reads `rover.yaml` (rover's supergraph config format), composes the subgraph schema
 * files with @apollo/composition, and reports each error with its subgraph, type and field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { GraphQLError, parse, type DocumentNode } from 'graphql';
import { parse as parseYaml } from 'yaml';

export interface SubgraphSource {
  name: string;
  routingUrl: string;
  /** The file the schema was read from, when it came from one (not for SDL published to the registry). */
  schemaPath?: string;
  typeDefs: DocumentNode;
}

export class CompositionConfigError extends Error {}

/** Reads the rover supergraph config and every schema file it names. */
export function readSupergraphConfig(configPath: string): { federationVersion: string; subgraphs: SubgraphSource[] } {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(configPath, 'utf8'));
  } catch (err) {
    throw new CompositionConfigError(`${configPath}: cannot read it as YAML: ${(err as Error).message}`);
  }
  const cfg = doc as { federation_version?: unknown; subgraphs?: Record<string, { routing_url?: unknown; schema?: { file?: unknown } }> };
  if (!cfg || typeof cfg !== 'object' || !cfg.subgraphs || typeof cfg.subgraphs !== 'object') {
    throw new CompositionConfigError(`${configPath}: expected a "subgraphs" map`);
  }
  const base = dirname(resolve(configPath));
  const subgraphs = Object.entries(cfg.subgraphs).map(([name, entry]) => {
    if (typeof entry?.routing_url !== 'string') throw new CompositionConfigError(`${configPath}: subgraph ${name} needs routing_url`);
    if (typeof entry?.schema?.file !== 'string') throw new CompositionConfigError(`${configPath}: subgraph ${name} needs schema.file`);
    const schemaPath = resolve(base, entry.schema.file);
    let typeDefs: DocumentNode;
    try {
      typeDefs = parse(readFileSync(schemaPath, 'utf8'));
    } catch (err) {
      throw new CompositionConfigError(`${name} (${entry.schema.file}): ${(err as Error).message}`);
    }
    return { name, routingUrl: entry.routing_url, schemaPath, typeDefs };
  });
  return { federationVersion: String(cfg.federation_version ?? ''), subgraphs };
}

export interface CompositionProblem {
  code: string;
  message: string;
  /** The subgraphs the error is about (from its locations), for tools that report per subgraph. */
  subgraphs: string[];
  /** Where in which subgraph, e.g. `finance: schema.graphql:12:3`. */
  locations: string[];
}

export type CompositionOutcome = { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; problems: CompositionProblem[] };

function describe(err: GraphQLError, sources: SubgraphSource[]): CompositionProblem {
  const locations: string[] = [];
  const subgraphs = new Set<string>();
  for (const node of err.nodes ?? []) {
    const loc = node.loc;
    const subgraph = (node as { subgraph?: string }).subgraph ?? sources.find((s) => s.typeDefs.loc?.source === loc?.source)?.name;
    if (subgraph) subgraphs.add(subgraph);
    if (loc) {
      const { line, column } = loc.source.locationOffset && loc.startToken ? { line: loc.startToken.line, column: loc.startToken.column } : { line: 0, column: 0 };
      locations.push(`${subgraph ?? '?'}: line ${line}:${column}`);
    } else if (subgraph) {
      locations.push(subgraph);
    }
  }
  return { code: String(err.extensions?.code ?? 'COMPOSITION_ERROR'), message: err.message, subgraphs: [...subgraphs], locations };
}

/** Composes subgraph sources into a supergraph. */
export function compose(sources: SubgraphSource[]): CompositionOutcome {
  const result = composeServices(sources.map((s) => ({ name: s.name, url: s.routingUrl, typeDefs: s.typeDefs })));
  if (result.errors) return { ok: false, problems: result.errors.map((e) => describe(e, sources)) };
  return { ok: true, supergraphSdl: result.supergraphSdl, hints: result.hints.map((h) => `${h.definition.code}: ${h.message}`) };
}

/** Formats problems for a terminal, one block each. */
export function formatProblems(problems: CompositionProblem[]): string {
  return problems.map((p) => `✗ [${p.code}] ${p.message}${p.locations.length ? `\n    at ${p.locations.join('\n    at ')}` : ''}`).join('\n');
}
