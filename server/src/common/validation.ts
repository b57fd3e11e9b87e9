import type { z } from 'zod';
import { AppError } from './errors';

const rulesByType = new Map<object, z.ZodType>();

/**
 * Checks the values of a GraphQL input or args type with `rules` (zod; the shared ones from
 * src/rules where there are) before the resolver runs. GraphQL has already made sure the
 * required fields are there, so only the fields given are checked: null and absent ones are
 * left out, which is what "leave unchanged" means in an update. Subclasses inherit the rules
 * unless they name their own.
 */
export function ValidateWith(rules: z.ZodType): ClassDecorator {
  return (type) => {
    rulesByType.set(type, rules);
  };
}

/** type-graphql's `validateFn`: BAD_USER_INPUT with the field of the first broken rule. */
export function validateArgument(value: unknown, type: unknown): void {
  const rules = rulesOf(type);
  if (!rules || value === null || typeof value !== 'object') return;
  const given = Object.fromEntries(Object.entries(value).filter(([, field]) => field != null));
  const result = rules.safeParse(given);
  if (result.success) return;
  const [issue] = result.error.issues;
  // The innermost named field: `recipientIds.3` reports `recipientIds`.
  const field = issue.path.filter((key): key is string => typeof key === 'string').at(-1);
  throw new AppError('BAD_USER_INPUT', issue.message, field ? { field } : {});
}

function rulesOf(type: unknown): z.ZodType | undefined {
  for (let t = type; typeof t === 'function' && t !== Function.prototype; t = Object.getPrototypeOf(t)) {
    const rules = rulesByType.get(t);
    if (rules) return rules;
  }
  return undefined;
}
