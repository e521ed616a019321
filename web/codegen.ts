/**
 * GraphQL Code Generator's configuration for the web app: the client preset reads the graph's API schema
 * (web/schema.graphql, written by `npm run compose`) and every `graphql(...)` document under src/, and
 * writes typed documents to src/gql/ plus the persisted-documents list the manifest is made from.
 * Custom scalars are strings on the wire (Decimal money, ISO-8601 DateTime), and typed so.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { join } from 'node:path';

export function codegenConfig(webDir: string): CodegenConfig {
  return {
    schema: join(webDir, 'schema.graphql'),
    documents: [join(webDir, 'src/**/*.tsx'), `!${join(webDir, 'src/gql/**')}`],
    ignoreNoDocuments: false,
    silent: true,
    generates: {
      [join(webDir, 'src/gql/')]: {
        preset: 'client',
        presetConfig: { fragmentMasking: false, persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' } },
        config: { scalars: { DateTime: 'string', Decimal: 'string' }, enumsAsTypes: true, useTypeImports: true },
      },
    },
  };
}
