/**
 * Feature: input validation at the edge. The gateway validates the graph's custom scalars itself: a
 * supergraph only names its scalars, so without this a `DateTime` variable of `12` would travel to a
 * subgraph and come back as an opaque HTTP 400; with it the client gets BAD_USER_INPUT straight away.
 * Values are validated, not converted: subgraphs receive exactly what the client sent. The rules are
 * the platform's own scalars'; its input checks (`platform/inputs.ts`, which every subgraph runs too)
 * name the argument path of a refused variable, and index literals so the error formatter can name
 * the path of a refused literal. Installed again on every new supergraph's API schema.
 */
import { isScalarType, Kind, type GraphQLSchema, type StringValueNode, type ValueNode } from 'graphql';
import { inputChecksPlugin } from '../../platform/inputs';
import { DecimalScalar } from '../../platform/money';
import { DateTimeScalar } from '../../platform/scalars';
import type { GatewayContext, GatewayFeature } from '../feature';

const VALIDATORS = { Decimal: DecimalScalar, DateTime: DateTimeScalar };

/** Installs validating parsers on the schema's custom scalars (in place: the gateway serves this object). */
export function installScalarValidation(schema: GraphQLSchema): void {
  for (const [name, reference] of Object.entries(VALIDATORS)) {
    const type = schema.getType(name);
    if (!type || !isScalarType(type)) continue;
    type.parseValue = (value: unknown) => {
      reference.parseValue(value);
      return value;
    };
    type.parseLiteral = (ast: ValueNode, variables?: Record<string, unknown> | null) => {
      if (ast.kind === Kind.VARIABLE) return variables?.[ast.name.value];
      // Throws the platform's InputValueError for anything but a valid string literal.
      reference.parseLiteral(ast, variables);
      return (ast as StringValueNode).value;
    };
  }
}

export function scalarValidationFeature(): GatewayFeature {
  return {
    name: 'scalar-validation',
    plugins: [inputChecksPlugin<GatewayContext>()],
    onSchemaChange: (apiSchema) => installScalarValidation(apiSchema),
  };
}
