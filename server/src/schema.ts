import path from 'node:path';
import { GraphQLObjectType, GraphQLSchema, isObjectType, lexicographicSortSchema, printSchema } from 'graphql';
import { allow, deny, shield, type IRules } from 'graphql-shield';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchema } from 'type-graphql';
import { featurePermissions } from './permissions';
import { resolvers } from './resolvers';
import { forbidden } from './common/errors';

export const schemaFilePath = path.resolve(__dirname, '../../schema.graphql');

/** The type-graphql schema alone, as integrators see it (no middleware). */
export async function buildBareSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    validate: { forbidUnknownValues: false },
    emitSchemaFile: false,
  });
}

export function printContract(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}

function ruleTree(schema: GraphQLSchema): IRules {
  const tree: Record<string, Record<string, unknown>> = { Query: {}, Mutation: {} };
  for (const p of featurePermissions) {
    Object.assign(tree.Query, p.Query);
    Object.assign(tree.Mutation, p.Mutation);
  }
  // Object types' fields are readable once the root field that returned them was allowed.
  for (const type of Object.values(schema.getTypeMap())) {
    if (isObjectType(type) && !type.name.startsWith('__') && !['Query', 'Mutation', 'Subscription'].includes(type.name)) {
      tree[(type as GraphQLObjectType).name] = allow as never;
    }
  }
  return tree as IRules;
}

/** The served schema: type-graphql resolvers behind graphql-shield (deny by default). */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildBareSchema();
  const permissions = shield(ruleTree(schema), {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: () => forbidden(),
  });
  return applyMiddleware(schema, permissions);
}
