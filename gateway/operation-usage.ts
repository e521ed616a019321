/**
 * What one operation uses of the API schema, as schema coordinates, and who it is — the facts usage
 * reporting records (`features/usage-reporting.ts`) and the registry's usage-aware checks look up.
 *
 * Coordinates covered:
 * - `Type.field` for every field selected (the type it is selected on: an interface's field as
 *   `Interface.field`), introspection's `__` fields left out;
 * - `Type.field(arg:)` for every argument passed, as a literal or a variable (directive arguments left out);
 * - `Input.field` for every input-object field given, and `Enum.VALUE` for every enum value given, in
 *   literals (default values included) and in variable values, walked against the variable's declared type.
 * Only names are taken from variables, never their values.
 *
 * An operation's identity is the SHA-256 of its normalised document: only the executed operation and
 * the fragments it reaches, every string/number/list/object literal hidden (as Apollo's operation
 * signature does: they may hold personal data, and calls differing only in literals are one operation),
 * printed by graphql's printer (whitespace and comments gone).
 */
import { createHash } from 'node:crypto';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  print,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/** The static part of an operation's usage: what its document says, whatever the variables. */
export interface OperationShape {
  /** SHA-256 (hex) of `document`. */
  hash: string;
  /** The operation's name, or null for an anonymous one. */
  name: string | null;
  /** The normalised document, literals hidden. */
  document: string;
  /** Coordinates the document itself uses. */
  coordinates: readonly string[];
  /** Variables whose values can add input fields or enum values: name → declared type. */
  inputVariables: ReadonlyArray<{ name: string; type: GraphQLInputType }>;
}

/** The executed operation and the fragments it reaches (a document may hold others, which do not run). */
function executedDefinitions(document: DocumentNode, operation: OperationDefinitionNode): Array<OperationDefinitionNode | FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const reached = new Map<string, FragmentDefinitionNode>();
  const pending: Array<OperationDefinitionNode | FragmentDefinitionNode> = [operation];
  while (pending.length) {
    visit(pending.pop()!, {
      FragmentSpread(node) {
        const f = fragments.get(node.name.value);
        if (f && !reached.has(f.name.value)) {
          reached.set(f.name.value, f);
          pending.push(f);
        }
      },
    });
  }
  return [operation, ...[...reached.values()].sort((a, b) => a.name.value.localeCompare(b.name.value))];
}

const hideLiterals = {
  StringValue: () => ({ kind: Kind.STRING, value: '' }),
  IntValue: () => ({ kind: Kind.INT, value: '0' }),
  FloatValue: () => ({ kind: Kind.FLOAT, value: '0' }),
  ListValue: () => ({ kind: Kind.LIST, values: [] }),
  ObjectValue: () => ({ kind: Kind.OBJECT, fields: [] }),
} as const;

/** Whether a value of `type` can carry input fields or enum values. */
function carriesNames(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return isInputObjectType(named) || isEnumType(named);
}

/** The shape of `operation` of `document` (already validated against `schema`). */
export function operationShape(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const definitions = executedDefinitions(document, operation);
  const normalised = definitions.map((d) => print(visit(d, hideLiterals))).join('\n');
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  const collect = visitWithTypeInfo(typeInfo, {
    Field(node) {
      const parent = typeInfo.getParentType();
      if (parent && !node.name.value.startsWith('__') && typeInfo.getFieldDef()) coordinates.add(`${parent.name}.${node.name.value}`);
    },
    Argument(node) {
      // Inside a field, before its selection set: the parent type is still the one the field is selected on.
      const parent = typeInfo.getParentType();
      const field = typeInfo.getFieldDef();
      if (!typeInfo.getDirective() && parent && field && typeInfo.getArgument()) coordinates.add(`${parent.name}.${field.name}(${node.name.value}:)`);
    },
    ObjectField(node) {
      const parent = getNamedType(typeInfo.getParentInputType() ?? undefined);
      if (isInputObjectType(parent) && parent.getFields()[node.name.value]) coordinates.add(`${parent.name}.${node.name.value}`);
    },
    EnumValue(node) {
      const type = getNamedType(typeInfo.getInputType() ?? undefined);
      if (isEnumType(type) && typeInfo.getEnumValue()) coordinates.add(`${type.name}.${node.value}`);
    },
  });
  for (const d of definitions) visit(d, collect);
  const inputVariables: Array<{ name: string; type: GraphQLInputType }> = [];
  for (const v of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, v.type) as GraphQLInputType | undefined;
    if (type && carriesNames(type)) inputVariables.push({ name: v.variable.name.value, type });
  }
  return {
    hash: createHash('sha256').update(normalised).digest('hex'),
    name: operation.name?.value ?? null,
    document: normalised,
    coordinates: [...coordinates].sort(),
    inputVariables,
  };
}

/** Deepest nesting of variable values walked; a deeper value is walked no further (the schema's own input types are not that deep). */
const MAX_VALUE_DEPTH = 32;

/** Adds the input fields and enum values a variable's value gives (names only). */
export function addVariableCoordinates(type: GraphQLInputType, value: unknown, into: Set<string>, depth = 0): void {
  if (value === null || value === undefined || depth > MAX_VALUE_DEPTH) return;
  if (isNonNullType(type)) return addVariableCoordinates(type.ofType, value, into, depth);
  if (isListType(type)) {
    // A single value where a list is declared is coerced as a list of one (GraphQL's input coercion).
    for (const item of Array.isArray(value) ? value : [value]) addVariableCoordinates(type.ofType, item, into, depth + 1);
    return;
  }
  if (isEnumType(type)) {
    if (typeof value === 'string' && type.getValue(value)) into.add(`${type.name}.${value}`);
    return;
  }
  if (isInputObjectType(type) && typeof value === 'object' && !Array.isArray(value)) {
    const fields = type.getFields();
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const field = fields[key];
      if (!field) continue;
      into.add(`${type.name}.${key}`);
      addVariableCoordinates(field.type, inner, into, depth + 1);
    }
  }
}

/** Every coordinate one call of the operation uses: the shape's, and what its variables add. */
export function coordinatesOfCall(shape: OperationShape, variables: Readonly<Record<string, unknown>> | undefined): readonly string[] {
  if (shape.inputVariables.length === 0 || !variables) return shape.coordinates;
  const all = new Set(shape.coordinates);
  for (const { name, type } of shape.inputVariables) addVariableCoordinates(type, variables[name], all);
  return all.size === shape.coordinates.length ? shape.coordinates : [...all];
}
