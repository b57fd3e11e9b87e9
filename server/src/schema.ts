import path from 'node:path';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { deny, shield, type IRules } from 'graphql-shield';
import { applyMiddleware, type IMiddlewareFieldMap } from 'graphql-middleware';
import { buildSchema, type ContainerType, type NonEmptyArray } from 'type-graphql';
import type { AppDeps } from './app-deps';
import { DateTimeISO } from './common/date-time';
import { forbidden } from './common/errors';
import { validateArgument } from './common/validation';
import { features } from './features';

export const schemaFilePath = path.resolve(__dirname, '../../schema.graphql');

/** The type-graphql schema alone, as integrators see it (no middleware); with `deps`, resolvers can run. */
export async function buildBareSchema(deps?: AppDeps): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: features.flatMap((feature) => feature.resolvers) as NonEmptyArray<new (deps: AppDeps) => object>,
    container: deps && resolverContainer(deps),
    validateFn: validateArgument,
    scalarsMap: [{ type: Date, scalar: DateTimeISO }],
    emitSchemaFile: false,
  });
}

/** One instance of each resolver class per app, built with the app's long-lived parts. */
function resolverContainer(deps: AppDeps): ContainerType {
  const instances = new Map<unknown, object>();
  return {
    get(resolverClass: new (deps: AppDeps) => object) {
      let instance = instances.get(resolverClass);
      if (!instance) {
        instance = new resolverClass(deps);
        instances.set(resolverClass, instance);
      }
      return instance;
    },
  };
}

export function printContract(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}

function ruleTree(): IRules {
  const tree: Record<'Query' | 'Mutation', IRules> = { Query: {}, Mutation: {} };
  for (const { permissions } of features) {
    Object.assign(tree.Query, permissions.Query);
    Object.assign(tree.Mutation, permissions.Mutation);
  }
  return tree as IRules;
}

/**
 * The served schema: type-graphql resolvers behind graphql-shield (deny by default).
 * Only the root fields are guarded: an object's fields are readable once the root field
 * that returned it was allowed, so they are left unwrapped (a wrapper per field of every
 * row would cost more than resolving a large list).
 */
export async function buildAppSchema(deps: AppDeps): Promise<GraphQLSchema> {
  const schema = await buildBareSchema(deps);
  const permissions = shield(ruleTree(), {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: () => forbidden(),
  }).generate(schema) as IMiddlewareFieldMap;
  return applyMiddleware(schema, { Query: permissions.Query, Mutation: permissions.Mutation });
}
