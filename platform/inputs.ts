/**
 * Input checks every server of the graph runs (the gateway at the edge, each subgraph for itself),
 * naming the argument path — `input.lines[2].unitPrice` — whether a value came as a literal or in
 * variables:
 *  - no text may contain U+0000: PostgreSQL text cannot hold it, and refusing it here means a
 *    database error is never the answer. Every string anywhere in the arguments counts, whatever its
 *    type (String, ID, a custom scalar, an enum name in variables).
 *  - `Decimal` and `DateTime` values in variables are checked by the kit's own parsers, so the rule
 *    in the message is exactly the one the subgraph applies.
 * Literal `Decimal`/`DateTime` values are refused earlier, by GraphQL validation calling the scalar's
 * `parseLiteral`; the paths indexed here before validation let the error formatter name the argument
 * in that message too (`literalPath`).
 *
 * Both the gateway and the subgraphs check, and on purpose: the gateway so a client learns the rule
 * from the edge before any fetch is planned; each subgraph because it is also called directly (by the
 * other subgraphs, and by anyone who reaches its port), and its database is what the rule protects.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { InputValueError } from './errors';
import { parseDecimalInput } from './money';
import { parseDateTimeInput } from './scalars';

type Path = ReadonlyArray<string | number>;

/** `['input', 'lines', 2, 'unitPrice']` → `input.lines[2].unitPrice`. */
export function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Where each literal value node of a document stands, as an argument path. Keyed by node, so concurrent requests never mix. */
const literalPaths = new WeakMap<ValueNode, string>();

function indexLiteral(node: ValueNode, path: Path): void {
  literalPaths.set(node, formatPath(path));
  if (node.kind === Kind.LIST) node.values.forEach((v, i) => indexLiteral(v, [...path, i]));
  if (node.kind === Kind.OBJECT) for (const f of node.fields) indexLiteral(f.value, [...path, f.name.value]);
}

/** Records the argument path of every literal in the document (field and directive arguments, variable defaults). */
export function indexLiteralPaths(document: DocumentNode): void {
  visit(document, {
    Argument: (node) => {
      indexLiteral(node.value, [node.name.value]);
      return false;
    },
    VariableDefinition: (node) => {
      if (node.defaultValue) indexLiteral(node.defaultValue, [`$${node.variable.name.value}`]);
      return false;
    },
  });
}

/** The argument path of a literal value node, when its document was indexed. */
export function literalPath(node: unknown): string | undefined {
  return node && typeof node === 'object' ? literalPaths.get(node as ValueNode) : undefined;
}

const NUL_RULE = 'must not contain a NUL character (U+0000)';

/** The kit's own parsers of custom scalars, by name (the gateway's schema has its own scalar objects of the same names). */
const SCALAR_RULES: Record<string, (value: unknown) => unknown> = { Decimal: parseDecimalInput, DateTime: parseDateTimeInput };

/** Any string inside a JSON value (a scalar such as federation's `_Any` carries whole objects). */
function checkJsonForNul(value: unknown, path: Path): void {
  if (typeof value === 'string') {
    if (value.includes('\0')) throw new InputValueError(NUL_RULE, formatPath(path));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkJsonForNul(v, [...path, i]));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkJsonForNul(v, [...path, k]);
  }
}

/** Checks a value from variables against the type of the place it is used in. Unknown fields are left to GraphQL's coercion. */
function checkValue(value: unknown, type: GraphQLInputType | undefined, path: Path): void {
  if (value === null || value === undefined) return;
  const nullable = type && getNullableType(type);
  if (nullable && isListType(nullable)) {
    if (Array.isArray(value)) value.forEach((v, i) => checkValue(v, nullable.ofType, [...path, i]));
    else checkValue(value, nullable.ofType, path); // GraphQL coerces one value to a list of one
    return;
  }
  if (nullable && isInputObjectType(nullable) && typeof value === 'object' && !Array.isArray(value)) {
    const fields = nullable.getFields();
    for (const [name, v] of Object.entries(value)) checkValue(v, fields[name]?.type, [...path, name]);
    return;
  }
  checkJsonForNul(value, path);
  const rule = nullable && SCALAR_RULES[getNamedType(nullable).name];
  if (rule) {
    try {
      rule(value);
    } catch (err) {
      throw new InputValueError(err instanceof InputValueError ? err.rule : (err as Error).message, formatPath(path));
    }
  }
}

/** Checks a literal (which may hold variables) at its argument path. */
function checkLiteral(node: ValueNode, type: GraphQLInputType | undefined, path: Path, variables: Record<string, unknown>): void {
  const nullable = type && getNullableType(type);
  switch (node.kind) {
    case Kind.VARIABLE:
      return checkValue(variables[node.name.value], type, path);
    case Kind.STRING:
      if (node.value.includes('\0')) throw new InputValueError(NUL_RULE, formatPath(path), node);
      return;
    case Kind.LIST:
      return node.values.forEach((v, i) => checkLiteral(v, nullable && isListType(nullable) ? nullable.ofType : undefined, [...path, i], variables));
    case Kind.OBJECT: {
      const fields = nullable && isInputObjectType(nullable) ? nullable.getFields() : {};
      for (const f of node.fields) checkLiteral(f.value, fields[f.name.value]?.type, [...path, f.name.value], variables);
      return;
    }
    default:
      return;
  }
}

/**
 * Checks every argument of the operation about to run, literals and variables, against the rules
 * above; throws the first problem as an `InputValueError` naming its argument path.
 */
export function checkOperationInputs(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): void {
  const typeInfo = new TypeInfo(schema);
  for (const definition of document.definitions) {
    // Another operation of the same document is not run, and `variables` are not its variables.
    if (definition.kind === Kind.OPERATION_DEFINITION && definition !== operation) continue;
    visit(
      definition,
      visitWithTypeInfo(typeInfo, {
        Argument: (node) => {
          checkLiteral(node.value, typeInfo.getArgument()?.type, [node.name.value], variables);
          return false;
        },
        VariableDefinition: (node) => {
          if (node.defaultValue) checkLiteral(node.defaultValue, undefined, [`$${node.variable.name.value}`], {});
          return false;
        },
      }),
    );
  }
}

/** The Apollo Server plugin running these checks (before validation: the path index; before execution: the checks). */
export function inputChecksPlugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async validationDidStart({ document }) {
          indexLiteralPaths(document);
        },
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          try {
            checkOperationInputs(schema, document, operation, request.variables ?? {});
          } catch (err) {
            if (err instanceof InputValueError) err.extensions.http = { status: 400 };
            throw err;
          }
        },
      };
    },
  };
}
