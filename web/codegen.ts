import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Types every `.graphql` document under src/ against the committed contract
 * (../schema.graphql); a document that no longer matches the schema fails here.
 */
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.graphql'],
  generates: {
    'src/graphql/generated.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTimeISO: 'string', ID: 'string' },
      },
    },
  },
};

export default config;
