import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { OwnerInvalidatedFields } from '../common/feature';
import type { RequestContext } from '../common/request-context';
import type { AppCache } from './app-cache';
import { readerScope } from './cache-scope';

/**
 * Caches whole answers of signed-in users' queries that ask only for `fields`, in the
 * reader's scope: a hit skips execution (no SQL, no entities), and the owner's next write
 * makes it unreachable, as for every cached read. Answers with errors are not kept.
 */
export function answerCache(cache: AppCache, fields: OwnerInvalidatedFields): ApolloServerPlugin<RequestContext> {
  const allowed = new Map(Object.entries(fields).map(([type, names]) => [type, new Set(names)]));
  // Apollo keeps parsed documents, so each is judged once.
  const verdicts = new WeakMap<DocumentNode, boolean>();

  function onlyAllowedFields(schema: GraphQLSchema, document: DocumentNode): boolean {
    let verdict = verdicts.get(document);
    if (verdict === undefined) {
      verdict = true;
      const typeInfo = new TypeInfo(schema);
      visit(
        document,
        visitWithTypeInfo(typeInfo, {
          Field(node) {
            const type = typeInfo.getParentType()?.name;
            if (node.name.value !== '__typename' && !(type && allowed.get(type)?.has(node.name.value))) verdict = false;
          },
        }),
      );
      verdicts.set(document, verdict);
    }
    return verdict;
  }

  return {
    async requestDidStart() {
      let store: ((data: Record<string, unknown>) => Promise<void>) | undefined;
      return {
        async responseForOperation({ contextValue, document, operation, operationName, request, schema }) {
          if (!contextValue.actor || operation.operation !== 'query' || !onlyAllowedFields(schema, document)) return null;
          const args = { query: request.query, operationName, variables: request.variables };
          const found = await cache.lookup<Record<string, unknown>>(readerScope(contextValue.actor), 'graphql.answer', args);
          if (found.hit) return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: found.value } } };
          store = found.store;
          return null;
        },
        async willSendResponse({ response, contextValue }) {
          const { body } = response;
          if (!store || contextValue.liveData || body.kind !== 'single' || !body.singleResult.data || body.singleResult.errors) return;
          await store(body.singleResult.data);
        },
      };
    },
  };
}
