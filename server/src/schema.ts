import path from 'node:path';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { deny, shield, type IRules } from 'graphql-shield';
import { applyMiddleware, type IMiddlewareFieldMap } from 'graphql-middleware';
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

function ruleTree(): IRules {
  const tree: Record<'Query' | 'Mutation', IRules> = { Query: {}, Mutation: {} };
  for (const p of featurePermissions) {
    Object.assign(tree.Query, p.Query);
    Object.assign(tree.Mutation, p.Mutation);
  }
  return tree as IRules;
}

/**
 * The served schema: type-graphql resolvers behind graphql-shield (deny by default).
 * Only the root fields are guarded: an object's fields are readable once the root field
 * that returned it was allowed, so they are left unwrapped (a wrapper per field of every
 * row would cost more than resolving a large list).
 */
export async function buildAppSchema(): Promise<GraphQLSchema> {
  const schema = await buildBareSchema();
  const permissions = shield(ruleTree(), {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: () => forbidden(),
  }).generate(schema) as IMiddlewareFieldMap;
  return applyMiddleware(schema, { Query: permissions.Query, Mutation: permissions.Mutation });
}
