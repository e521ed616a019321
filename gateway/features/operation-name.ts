/**
 * Feature: operation-name resolution. Which operation of a document runs is the client's choice, so a
 * missing or unknown `operationName` is the client's mistake. Apollo Server answers it with 400
 * OPERATION_RESOLUTION_FAILURE when it executes the schema itself (as every subgraph does); in front of
 * a gateway it hands the unresolved document to the gateway's executor, whose plain throw became HTTP
 * 500. This refuses it first, with the words graphql-js uses, so gateway and subgraphs answer alike and
 * nothing is planned.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, Kind } from 'graphql';
import type { GatewayFeature } from '../feature';

const operationResolutionPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request, document }) {
        if (operation) return;
        const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).length;
        const message = request.operationName
          ? `Unknown operation named "${request.operationName}".`
          : operations > 1
            ? 'Must provide operation name if query contains multiple operations.'
            : 'Must provide an operation.';
        throw new GraphQLError(message, { extensions: { code: ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE, http: { status: 400 } } });
      },
    };
  },
};

export function operationNameFeature(): GatewayFeature {
  return { name: 'operation-name', plugins: [operationResolutionPlugin] };
}
