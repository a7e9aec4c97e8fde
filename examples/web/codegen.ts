// graphql-codegen: typed documents for src/**/*.ts and the manifest of persisted documents
// (sha256 → text) that the gateway's trusted-documents mode loads.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { persistedDocuments: true },
    },
  },
  silent: true,
};

export default config;
