import { GraphQLError, GraphQLScalarType } from 'graphql';
import { GraphQLDateTimeISO } from 'graphql-scalars';

/** The instants whose UTC form has a four-digit year: ISO 8601 and PostgreSQL both hold these (year 0 and year 10000 they do not). */
const EARLIEST = Date.parse('0001-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

function inRange(date: Date): Date {
  const time = date.getTime();
  if (time < EARLIEST || time > LATEST) {
    throw new GraphQLError('A date-time must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z.');
  }
  return date;
}

/**
 * graphql-scalars' DateTimeISO (the same name, description and output), whose inputs also
 * stay within years 1 to 9999 in UTC: RFC 3339 allows year 0000 and offsets that carry
 * 0001-01-01 or 9999-12-31 over the edge, which PostgreSQL refused as a server error.
 */
export const DateTimeISO = new GraphQLScalarType({
  ...GraphQLDateTimeISO.toConfig(),
  parseValue: (value) => inRange(GraphQLDateTimeISO.parseValue(value) as Date),
  parseLiteral: (ast, variables) => inRange(GraphQLDateTimeISO.parseLiteral(ast, variables) as Date),
});
