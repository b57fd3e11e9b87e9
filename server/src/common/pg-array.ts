/**
 * A PostgreSQL array literal, for one parameter that stands for many values (`= any(?::uuid[])`,
 * `unnest(?::int[])`): uuids, numbers, enum names or timestamps, none of which holds a comma,
 * quote or brace; null for a missing value.
 */
export function pgArray(values: ReadonlyArray<string | number | Date | null>): string {
  const literal = (value: string | number | Date | null) => (value === null ? 'NULL' : value instanceof Date ? `"${value.toISOString()}"` : String(value));
  return `{${values.map(literal).join(',')}}`;
}
