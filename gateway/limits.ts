/**
 * Operation limits the gateway enforces before planning, so one request cannot make the graph do
 * unbounded work: selection depth, aliases, and (through the parser) tokens. Fragments are followed,
 * so a limit cannot be dodged by moving selections into a fragment.
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

export interface OperationLimits {
  /** Deepest field nesting allowed (the headline request needs 11). */
  maxDepth: number;
  /** Most aliased fields in one operation. */
  maxAliases: number;
  /** Most lexical tokens in one document (enforced by the parser). */
  maxTokens: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 15, maxAliases: 30, maxTokens: 5000 };

/** Reported as a validation error (Apollo Server gives it the code GRAPHQL_VALIDATION_FAILED and HTTP 400). */
function refuse(message: string): GraphQLError {
  return new GraphQLError(message);
}

/** Measures the deepest field path and counts aliases of a selection set, following fragments once per path. */
export function measure(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  visiting: Set<string> = new Set(),
): { depth: number; aliases: number } {
  let depth = 0;
  let aliases = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.alias) aliases++;
      const inner = sel.selectionSet ? measure(sel.selectionSet, fragments, visiting) : { depth: 0, aliases: 0 };
      depth = Math.max(depth, 1 + inner.depth);
      aliases += inner.aliases;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(sel.selectionSet, fragments, visiting);
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    } else {
      const name = sel.name.value;
      const fragment = fragments[name];
      if (!fragment || visiting.has(name)) continue; // unknown or cyclic fragments are reported by standard validation
      visiting.add(name);
      const inner = measure(fragment.selectionSet, fragments, visiting);
      visiting.delete(name);
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
    }
  }
  return { depth, aliases };
}

/** A validation rule refusing operations deeper or more aliased than the limits. */
export function operationLimitsRule(limits: OperationLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
    return {
      OperationDefinition(node) {
        const { depth, aliases } = measure(node.selectionSet, fragments);
        const name = node.name ? ` ${node.name.value}` : '';
        if (depth > limits.maxDepth) context.reportError(refuse(`operation${name} is ${depth} levels deep; the limit is ${limits.maxDepth}`));
        if (aliases > limits.maxAliases) context.reportError(refuse(`operation${name} uses ${aliases} aliases; the limit is ${limits.maxAliases}`));
      },
    };
  };
}
