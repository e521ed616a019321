/**
 * Which schema coordinates an operation must have used for a breaking change to break it — what a
 * usage-aware check looks up in reported usage (`usage-impact.ts`). The coordinates are those the
 * gateway records (`gateway/operation-usage.ts`): `Type.field`, `Type.field(arg:)`, `Input.field`,
 * `Enum.VALUE`; `Type.*` stands for every coordinate of a type.
 *
 * Each rule errs towards "used": a change is only called safe when no operation used anything it could
 * break. A breaking change with no rule here (a directive, the root types) gets null and stays breaking.
 */
import type { Change } from '@graphql-inspector/core';
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

/** `Type.field` for every output field whose type is `typeName` (a list or non-null of it too). */
function fieldsReturning(schema: GraphQLSchema, typeName: string): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) if (getNamedType(field.type).name === typeName) out.push(`${type.name}.${field.name}`);
  }
  return out;
}

/** Every place a value of the input type `typeName` is given: arguments (`T.f(a:)`) and input fields (`I.f`) of that type. */
function inputUses(schema: GraphQLSchema, typeName: string): string[] {
  const out: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) for (const arg of field.args) if (getNamedType(arg.type).name === typeName) out.push(`${type.name}.${field.name}(${arg.name}:)`);
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (getNamedType(field.type).name === typeName) out.push(`${type.name}.${field.name}`);
    }
  }
  return out;
}

const madeRequired = (before: unknown, after: unknown) => typeof before === 'string' && typeof after === 'string' && !before.endsWith('!') && after.endsWith('!');

/**
 * The coordinates a breaking `change` (from `before` to the next schema) breaks when used, or null when
 * usage cannot tell (then it is breaking whatever was reported).
 */
export function usageCoordinates(change: Pick<Change, 'type' | 'path' | 'meta'>, before: GraphQLSchema): string[] | null {
  if (!change.path) return null;
  const [type, field, arg] = change.path.split('.');
  const meta = (change.meta ?? {}) as Record<string, unknown>;
  const unique = (list: string[]) => [...new Set(list)].sort();
  switch (change.type) {
    case 'FIELD_REMOVED':
    case 'FIELD_TYPE_CHANGED':
      return field ? [`${type}.${field}`] : null;
    // A required argument added breaks every call of the field, which cannot pass it yet.
    case 'FIELD_ARGUMENT_ADDED':
      return field ? [`${type}.${field}`] : null;
    case 'FIELD_ARGUMENT_REMOVED':
      return arg ? [`${type}.${field}(${arg}:)`] : null;
    // Made required: calls that leave it out break too; otherwise only calls that pass it.
    case 'FIELD_ARGUMENT_TYPE_CHANGED':
      if (!arg) return null;
      return madeRequired(meta.oldArgumentType, meta.newArgumentType) ? [`${type}.${field}`] : [`${type}.${field}(${arg}:)`];
    case 'INPUT_FIELD_REMOVED':
      return field ? [`${type}.${field}`] : null;
    case 'INPUT_FIELD_TYPE_CHANGED':
      if (!field) return null;
      return madeRequired(meta.oldInputFieldType, meta.newInputFieldType) ? unique([`${type}.${field}`, ...inputUses(before, type)]) : [`${type}.${field}`];
    // A required input field added breaks every value of the type given.
    case 'INPUT_FIELD_ADDED':
      return unique(inputUses(before, type));
    // A removed value breaks a call that sends it, and one that selects a field that could return it.
    case 'ENUM_VALUE_REMOVED':
      return field ? unique([`${type}.${field}`, ...fieldsReturning(before, type)]) : null;
    case 'UNION_MEMBER_REMOVED':
      return unique(fieldsReturning(before, type));
    case 'OBJECT_TYPE_INTERFACE_REMOVED':
      return unique([`${type}.*`, ...fieldsReturning(before, String(meta.removedInterfaceName ?? type))]);
    case 'TYPE_REMOVED':
    case 'TYPE_KIND_CHANGED':
      return unique([`${type}.*`, ...fieldsReturning(before, type), ...inputUses(before, type)]);
    default:
      return null;
  }
}
