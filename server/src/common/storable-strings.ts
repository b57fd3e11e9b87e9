import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { BREAK, GraphQLError, Kind, visit, type DocumentNode, type ValueNode } from 'graphql';

/** An unpaired UTF-16 surrogate: UTF-8 cannot encode it (the driver would store U+FFFD instead). */
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether PostgreSQL can store a text as given: it refuses NUL, and UTF-8 has no lone surrogates. */
export function isStorable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/** What a client is told about a text that `isStorable` refuses, on every endpoint. */
export const UNSTORABLE_MESSAGE = 'This text holds a character that cannot be stored (a NUL or an unpaired surrogate).';

type Variables = Record<string, unknown>;

/** The innermost named field of a JSON value (a variable's) that holds a string that cannot be stored. */
function unstorableInValue(value: unknown, field: string): string | undefined {
  if (typeof value === 'string') return isStorable(value) ? undefined : field;
  if (Array.isArray(value)) return firstOf(value, (item) => unstorableInValue(item, field));
  if (value !== null && typeof value === 'object') {
    return firstOf(Object.entries(value), ([key, item]) => unstorableInValue(item, key));
  }
  return undefined;
}

/** The same for a value written in the document, following variables (or their defaults). */
function unstorableInNode(node: ValueNode, field: string, variables: Variables, defaults: Map<string, ValueNode>): string | undefined {
  switch (node.kind) {
    case Kind.STRING:
      return isStorable(node.value) ? undefined : field;
    case Kind.LIST:
      return firstOf(node.values, (item) => unstorableInNode(item, field, variables, defaults));
    case Kind.OBJECT:
      return firstOf(node.fields, (f) => unstorableInNode(f.value, f.name.value, variables, defaults));
    case Kind.VARIABLE: {
      const name = node.name.value;
      if (name in variables) return unstorableInValue(variables[name], field);
      const fallback = defaults.get(name);
      return fallback && unstorableInNode(fallback, field, variables, defaults);
    }
    default:
      return undefined;
  }
}

function firstOf<T>(items: readonly T[], find: (item: T) => string | undefined): string | undefined {
  for (const item of items) {
    const found = find(item);
    if (found) return found;
  }
  return undefined;
}

/**
 * The argument field (innermost name, as `extensions.field` names fields everywhere) of the
 * first string in a request that PostgreSQL cannot store, or undefined when there is none.
 */
export function unstorableField(document: DocumentNode, variables: Variables): string | undefined {
  const defaults = new Map<string, ValueNode>();
  visit(document, {
    VariableDefinition(definition) {
      if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
    },
  });
  let found: string | undefined;
  visit(document, {
    Argument(argument) {
      found = unstorableInNode(argument.value, argument.name.value, variables, defaults);
      return found ? BREAK : false;
    },
  });
  return found;
}

/**
 * Refuses a request whose arguments hold a string PostgreSQL cannot store (NUL, lone
 * surrogates) as BAD_USER_INPUT on that field, once per request and before any resolver runs.
 */
export function storableStrings<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, request }) {
          const field = unstorableField(document, request.variables ?? {});
          if (!field) return;
          throw new GraphQLError(UNSTORABLE_MESSAGE, {
            extensions: { code: 'BAD_USER_INPUT', field, http: { status: 400 } },
          });
        },
      };
    },
  };
}
