/**
 * The gateway validates the graph's custom scalars itself. A supergraph only names its scalars, so
 * without this a `DateTime` variable of `12` would travel to a subgraph and come back as an opaque
 * HTTP 400; with it the client gets BAD_USER_INPUT straight away. Values are validated, not
 * converted: subgraphs receive exactly what the client sent. The rules are the kit's own scalars';
 * the kit's input checks (`platform/inputs.ts`, run by the gateway too) name the argument path
 * of a refused variable first, and the error formatter names the path of a refused literal.
 */
import { isScalarType, Kind, type GraphQLSchema, type StringValueNode, type ValueNode } from 'graphql';
import { DecimalScalar } from '../platform/money';
import { DateTimeScalar } from '../platform/scalars';

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
      // Throws the kit's InputValueError for anything but a valid string literal.
      reference.parseLiteral(ast, variables);
      return (ast as StringValueNode).value;
    };
  }
}
