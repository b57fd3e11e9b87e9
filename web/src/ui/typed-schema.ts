import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { TypedSchema, TypedSchemaError } from 'vee-validate';

/**
 * vee-validate 4 takes its own TypedSchema; @vee-validate/zod supports only zod 3. Zod 4
 * schemas (the shared rules in @mailing/server/rules) implement Standard Schema, which this
 * adapts: each issue becomes an error on the field its path names ("recipientIds.0").
 */
export function toTypedSchema<Schema extends StandardSchemaV1>(
  schema: Schema,
): TypedSchema<StandardSchemaV1.InferInput<Schema>, StandardSchemaV1.InferOutput<Schema>> {
  return {
    __type: 'VVTypedSchema',
    async parse(values) {
      const result = await schema['~standard'].validate(values);
      if (!result.issues) return { value: result.value as StandardSchemaV1.InferOutput<Schema>, errors: [] };
      const byPath = new Map<string, TypedSchemaError>();
      for (const issue of result.issues) {
        const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
        const entry = byPath.get(path) ?? { path, errors: [] };
        entry.errors.push(issue.message);
        byPath.set(path, entry);
      }
      return { errors: [...byPath.values()] };
    },
  };
}
