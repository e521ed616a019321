/**
 * Operation limits, enforced by the gateway before planning and by every subgraph before executing,
 * so one request cannot make the graph do unbounded work: selection depth, aliases, tokens (through
 * the parser), the fields an operation selects once its fragments are written out, its root fields
 * (each one a separate entry point the planner fans out from) and its directives.
 *
 * Fragments are followed, so a limit cannot be dodged by moving selections into a fragment; and each
 * fragment is measured once per document, so the check itself takes time linear in the document even
 * when fragments spread each other many times over (a 1 KB document of fragments that each spread the
 * previous one twice stands for 2^27 copies of its first fragment).
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { wholeNumber } from './env';

export interface OperationLimits {
  /** Deepest field nesting allowed (the headline request needs 11). */
  maxDepth: number;
  /** Most aliased fields in one operation. */
  maxAliases: number;
  /**
   * Most lexical tokens in one document (enforced by the parser); also the most fields an operation may
   * select once its fragments are written out, so fragments cannot stand for a bigger document.
   */
  maxTokens: number;
  /** Most fields at the root of one operation (fragments followed): each is a plan of its own. */
  maxRootFields: number;
  /** Most directives one operation uses, counting every use of a fragment. */
  maxDirectives: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 15, maxAliases: 30, maxTokens: 5000, maxRootFields: 15, maxDirectives: 50 };

/** The limits from MAX_QUERY_DEPTH, MAX_ALIASES, MAX_TOKENS, MAX_ROOT_FIELDS and MAX_DIRECTIVES (the gateway's; subgraphs add room with `subgraphLimits`). */
export function readOperationLimits(env: NodeJS.ProcessEnv, problems: string[]): OperationLimits {
  return {
    maxDepth: wholeNumber(env, 'MAX_QUERY_DEPTH', DEFAULT_LIMITS.maxDepth, 2, 100, problems),
    maxAliases: wholeNumber(env, 'MAX_ALIASES', DEFAULT_LIMITS.maxAliases, 0, 1000, problems),
    maxTokens: wholeNumber(env, 'MAX_TOKENS', DEFAULT_LIMITS.maxTokens, 100, 1_000_000, problems),
    maxRootFields: wholeNumber(env, 'MAX_ROOT_FIELDS', DEFAULT_LIMITS.maxRootFields, 1, 1000, problems),
    maxDirectives: wholeNumber(env, 'MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives, 0, 10_000, problems),
  };
}

/**
 * The limits a subgraph applies, given the gateway's. The query planner's operations are bigger than
 * the client's: an entity fetch adds `_entities` above the client's fields (one level) and `@requires`
 * / `@key` selections below them (at most two levels in this graph: `financeBuckets { amount }`); it
 * aliases same-named fields of different types that meet in one fetch (each such alias stands for a
 * client field, so at most as many again); and it adds `__typename` and key fields. Its root fields are
 * the client's or one `_entities`, and it passes the client's directives on (twice at most, when a field
 * is fetched for itself and for a `@requires`). Anything beyond this cannot come from an operation the
 * gateway accepted.
 */
export function subgraphLimits(gateway: OperationLimits): OperationLimits {
  return {
    maxDepth: gateway.maxDepth + 3,
    maxAliases: gateway.maxAliases * 2,
    maxTokens: gateway.maxTokens * 2,
    maxRootFields: gateway.maxRootFields,
    maxDirectives: gateway.maxDirectives * 2,
  };
}

/** What a selection set costs, with fragments followed. */
export interface Measure {
  /** Deepest field path (inline fragments and spreads add no level). */
  depth: number;
  /** Aliased fields, counting every use of a fragment. */
  aliases: number;
  /** Fields, counting every use of a fragment: the size of the operation written out without fragments. */
  fields: number;
  /** Fields of this selection set itself (through fragments, not into fields): an operation's root fields. */
  topFields: number;
  /** Directives used, counting every use of a fragment (and the fragment's own). */
  directives: number;
}

/**
 * Counts saturate here instead of growing without bound: fragments spread k times over n levels stand
 * for k^n copies, and any count this large is far above every limit. Below it counts are exact.
 */
export const SATURATED = Number.MAX_SAFE_INTEGER;
const add = (a: number, b: number) => Math.min(a + b, SATURATED);

const NOTHING: Measure = { depth: 0, aliases: 0, fields: 0, topFields: 0, directives: 0 };

/**
 * Measures a selection set. `memo` holds each fragment's measure (pass one map per document, so that
 * every fragment is measured once however often it is spread).
 */
export function measure(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  memo: Map<string, Measure> = new Map(),
): Measure {
  const measuring = new Set<string>();
  const ofFragment = (name: string): Measure => {
    const known = memo.get(name);
    if (known) return known;
    const fragment = fragments[name];
    // Unknown or cyclic fragments are reported by standard validation; here they cost nothing.
    if (!fragment || measuring.has(name)) return NOTHING;
    measuring.add(name);
    const inner = ofSet(fragment.selectionSet);
    const m = { ...inner, directives: add(inner.directives, fragment.directives?.length ?? 0) };
    measuring.delete(name);
    memo.set(name, m);
    return m;
  };
  const ofSet = (s: SelectionSetNode): Measure => {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    let topFields = 0;
    let directives = 0;
    for (const sel of s.selections) {
      let inner: Measure;
      directives = add(directives, sel.directives?.length ?? 0);
      if (sel.kind === Kind.FIELD) {
        inner = sel.selectionSet ? ofSet(sel.selectionSet) : NOTHING;
        depth = Math.max(depth, 1 + inner.depth);
        if (sel.alias) aliases = add(aliases, 1);
        fields = add(fields, 1);
        topFields = add(topFields, 1);
      } else {
        inner = sel.kind === Kind.INLINE_FRAGMENT ? ofSet(sel.selectionSet) : ofFragment(sel.name.value);
        depth = Math.max(depth, inner.depth);
        topFields = add(topFields, inner.topFields);
      }
      aliases = add(aliases, inner.aliases);
      fields = add(fields, inner.fields);
      directives = add(directives, inner.directives);
    }
    return { depth, aliases, fields, topFields, directives };
  };
  return ofSet(set);
}

/** Reported as a validation error (Apollo Server gives it the code GRAPHQL_VALIDATION_FAILED and HTTP 400). */
function refuse(message: string): GraphQLError {
  return new GraphQLError(message);
}

const count = (n: number) => (n >= SATURATED ? `at least ${SATURATED}` : String(n));

/** A validation rule refusing operations deeper, more aliased, (written out) bigger, with more root fields or more directives than the limits. */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    const memo = new Map<string, Measure>();
    return {
      OperationDefinition(node) {
        const { depth, aliases, fields, topFields, directives: inSelections } = measure(node.selectionSet, fragments, memo);
        const ownDirectives = (node.directives?.length ?? 0) + (node.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0);
        const directives = add(inSelections, ownDirectives);
        const name = node.name ? ` ${node.name.value}` : '';
        if (depth > limits.maxDepth) context.reportError(refuse(`operation${name} is ${depth} levels deep; the limit is ${limits.maxDepth}`));
        if (aliases > limits.maxAliases) context.reportError(refuse(`operation${name} uses ${count(aliases)} aliases; the limit is ${limits.maxAliases}`));
        if (fields > limits.maxTokens) {
          context.reportError(refuse(`operation${name} selects ${count(fields)} fields once its fragments are written out; the limit is ${limits.maxTokens} (the token limit)`));
        }
        if (topFields > limits.maxRootFields) context.reportError(refuse(`operation${name} selects ${count(topFields)} root fields; the limit is ${limits.maxRootFields} (MAX_ROOT_FIELDS)`));
        if (directives > limits.maxDirectives) context.reportError(refuse(`operation${name} uses ${count(directives)} directives; the limit is ${limits.maxDirectives} (MAX_DIRECTIVES)`));
      },
    };
  };
}
