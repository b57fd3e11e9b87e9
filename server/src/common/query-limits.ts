import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { Config } from '../config';

type LimitsConfig = Pick<
  Config,
  'QUERY_MAX_DEPTH' | 'QUERY_MAX_ALIASES' | 'QUERY_MAX_TOKENS' | 'QUERY_MAX_DIRECTIVES' | 'QUERY_MAX_COST'
>;

/**
 * What one GraphQL request may ask for, checked before anything runs. Tokens: graphql-js's
 * own parser stops at the limit (GRAPHQL_PARSE_FAILED). Depth, aliases, directives and cost:
 * graphql-armor's validation rules (GRAPHQL_VALIDATION_FAILED); both answer HTTP 400 with a
 * message naming the limit. graphql-armor also masks field suggestions ("Did you mean …").
 */
export function queryLimits(config: LimitsConfig) {
  const { plugins, validationRules } = new ApolloArmor({
    // armor's token plugin parses in a hook that Apollo 5 answers with a 500 for any syntax error.
    maxTokens: { enabled: false },
    maxDepth: { n: config.QUERY_MAX_DEPTH },
    maxAliases: { n: config.QUERY_MAX_ALIASES },
    maxDirectives: { n: config.QUERY_MAX_DIRECTIVES },
    costLimit: { maxCost: config.QUERY_MAX_COST },
  }).protect();
  return { plugins, validationRules, parseOptions: { maxTokens: config.QUERY_MAX_TOKENS } };
}
