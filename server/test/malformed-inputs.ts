import fc from 'fast-check';
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { isStorable } from '../src/common/storable-strings';

/**
 * Requests that no server may accept, generated from the schema (fast-check): for each
 * query and mutation, its arguments with at least one of them malformed. Everything else
 * is a filler — any plausible value (another user's ids, unknown ids, control characters),
 * which may be wrong too but is never what the case relies on.
 */

/** A root field: `Query.mailings`, `Mutation.login`, … */
export interface Operation {
  root: 'Query' | 'Mutation';
  field: GraphQLField<unknown, unknown>;
}

export const nameOf = (op: Operation) => `${op.root}.${op.field.name}`;

/** Every query and mutation of the schema. */
export function operationsOf(schema: GraphQLSchema): Operation[] {
  return (['Query', 'Mutation'] as const).flatMap((root) => {
    const type = schema.getType(root);
    return type && isObjectType(type) ? Object.values(type.getFields()).map((field) => ({ root, field })) : [];
  });
}

/** What fillers pick from: ids and emails of the test's rows (the caller's, another user's). */
export interface Known {
  ids: string[];
  emails: string[];
}

/** One request, printed short when fast-check reports it. */
export interface Case {
  /** How it is malformed: `variable limit`, `literal input`, `unknown argument`, `1000 aliases`. */
  broken: string;
  query: string;
  variables: Record<string, unknown>;
}

/** Where a value goes: its field or argument name and what holds it (`MailingInput`, `Query.users`). */
interface Place {
  parent: string;
  name: string;
  /** A nullable id argument of a root field filters a list: an unknown id finds nothing, which is no error. */
  filter: boolean;
}

// A bad row is skipped while the call's other rows go in (importRecipients' contract), so in a
// row only what refuses the whole request counts as malformed: types, nulls, fields, NUL.
const ROW_TYPES = new Set(['RecipientImportRow']);

const ALIASES = 1000;
/** Longer than any string rule allows (the longest, a message body, is 100,000 characters). */
const HUGE = 'x'.repeat(100_001);
const OMIT = Symbol('omit');

const ascii = fc.string({ maxLength: 12 });
const control = fc.string({ unit: fc.integer({ min: 1, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 4 });
/** Control characters that are not whitespace (tabs and line breaks are, where a rule allows spaces). */
const nonSpaceControl = fc.string({ unit: fc.constantFrom(...'\u0001\u0007\u0008\u000e\u001b\u001f\u007f'), minLength: 1, maxLength: 4 });
const name = fc.stringMatching(/^[a-z][A-Za-z0-9]{0,8}$/);
const notUuid = fc.oneof(fc.constantFrom('', 'abc', '1', "1' or '1'='1", '00000000-0000-0000-0000-00000000000g', ' '), ascii);
const isoDate = (min: string, max: string) =>
  fc.date({ min: new Date(min), max: new Date(max), noInvalidDate: true }).map((d) => d.toISOString());

/** Values of the wrong JSON type for a scalar: GraphQL's coercion refuses them. */
const notString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.array(ascii, { minLength: 1, maxLength: 2 }), fc.dictionary(name, ascii, { maxKeys: 2 }));
const notInt = fc.oneof(
  fc.double({ min: -1e6, max: 1e6, noInteger: true, noNaN: true }),
  fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1e21, Number.MAX_SAFE_INTEGER),
  fc.integer().map(String),
  fc.boolean(),
  fc.array(fc.integer(), { minLength: 1, maxLength: 2 }),
);
const notBoolean = fc.oneof(fc.constantFrom('true', 'false', '', 1, 0), fc.dictionary(name, ascii, { maxKeys: 1 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 2 }));
const notId = fc.oneof(fc.boolean(), fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }), fc.dictionary(name, ascii, { maxKeys: 1 }), fc.array(ascii, { minLength: 2, maxLength: 2 }));
const notDate = fc.oneof(
  fc.constantFrom('not a date', '', '2026-13-01T00:00:00Z', '2026-02-30T10:00:00Z', '2026-01-01T25:00:00Z', '2026-01-01', '01/02/2026', '+275760-09-13T00:00:00.001Z'),
  // RFC 3339 but outside years 1–9999 in UTC, which PostgreSQL cannot hold.
  fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59-12:00'),
  fc.integer(),
  fc.boolean(),
  fc.dictionary(name, ascii, { maxKeys: 1 }),
);
/** NUL or an unpaired surrogate, somewhere in ordinary text: PostgreSQL cannot store it. */
const unstorable = fc
  .tuple(ascii, fc.constantFrom('\u0000', '\ud800', '\udfff', '\udbff'), fc.oneof(ascii, control))
  .map(([before, bad, after]) => `${before}${bad}${after}`);
const invalidEmail = fc.oneof(
  fc.constantFrom('', ' ', 'no-at-sign', 'a@', '@example.test', 'a@@example.test', 'a b@example.test', '<a@example.test>', `${'a'.repeat(330)}@example.test`),
  nonSpaceControl.map((c) => `a${c}@example.test`),
  ascii.filter((s) => !s.includes('@')),
);

/** Values that have the right type but break the field's rules, by field name; none of them is valid anywhere the name is used. */
const BROKEN_BY_NAME: Record<string, fc.Arbitrary<unknown>> = {
  email: invalidEmail,
  // Too short for a new password, and no test account's password (they are longer) for a login or a password change.
  password: fc.string({ maxLength: 7 }),
  newPassword: fc.string({ maxLength: 7 }),
  currentPassword: fc.oneof(fc.string({ maxLength: 7 }), fc.constant('p'.repeat(129))),
  // Tokens are 43 random characters: nothing generated here is one.
  token: fc.oneof(ascii, fc.constant('t'.repeat(201))),
  limit: fc.oneof(fc.constantFrom(0, 201), fc.integer({ min: -(2 ** 31), max: 0 }), fc.integer({ min: 201, max: 2 ** 31 - 1 })),
  offset: fc.integer({ min: -(2 ** 31), max: -1 }),
  search: fc.constant('s'.repeat(201)),
  fullName: fc.constant('n'.repeat(201)),
  comment: fc.constant('c'.repeat(2001)),
  country: fc.constant('c'.repeat(101)),
  phone: fc.oneof(fc.constant('1'.repeat(41)), fc.constantFrom('call me', '+1 555 0100 ext. 7', '☎ 555'), nonSpaceControl),
  avatarUrl: fc.constantFrom('javascript:alert(1)', 'ftp://example.test/a.png', 'not a url', 'data:image/png;base64,AAAA', `https://example.test/${'a'.repeat(2000)}`),
  subject: fc.constantFrom('', '   ', '\n\t', 's'.repeat(301)),
  body: fc.constantFrom('', '   ', '\r\n'),
  timeZone: fc.oneof(fc.constantFrom('Mars/Olympus_Mons', 'UTC+25', '../etc/passwd', 'Europe/', '', 'Europe/Berlin;drop table users'), nonSpaceControl),
  rows: fc.constant([]),
};

/** The same where a name means different things in different places. */
const BROKEN_BY_PLACE: Record<string, fc.Arbitrary<unknown>> = {
  // A mailing's end must lie ahead (create, and whenever an update sets it).
  'MailingInput.endAt': isoDate('1970-01-01', '2020-01-01'),
  'MailingUpdateInput.endAt': isoDate('1970-01-01', '2020-01-01'),
  // At most 366 days after `from`, which fillers keep within 2000–2100.
  'Query.deliveryDaily.to': isoDate('2200-01-01', '9999-12-31'),
};

/** Any plausible value of `type` at `place`: often valid, sometimes not (foreign and unknown ids, odd text). */
function anyValue(type: GraphQLInputType, place: Place, known: Known): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return anyValue(type.ofType, place, known);
  if (isListType(type)) return fc.array(anyValue(type.ofType, place, known), { maxLength: 3 });
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    return fc.record(
      Object.fromEntries(fields.map((f) => [f.name, anyValue(f.type, fieldPlace(type.name, f), known)])),
      { requiredKeys: fields.filter(isRequired).map((f) => f.name), noNullPrototype: true },
    );
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  switch (type.name) {
    case 'ID':
      return fc.oneof(fc.constantFrom(...known.ids), fc.uuid({ version: 4 }));
    case 'Int':
      if (place.name === 'limit') return fc.integer({ min: 1, max: 200 });
      return fc.integer({ min: 0, max: 500 });
    case 'Boolean':
      return fc.boolean();
    case 'DateTimeISO':
      return isoDate('2000-01-01', '2100-01-01');
    case 'String':
      if (place.name.toLowerCase().includes('email')) return fc.oneof(fc.emailAddress(), fc.constantFrom(...known.emails));
      if (place.name.toLowerCase().includes('password')) return fc.string({ minLength: 8, maxLength: 24 });
      if (place.name === 'timeZone') return fc.constantFrom('UTC', 'Europe/Berlin', 'Pacific/Chatham');
      return fc.oneof(ascii, control, fc.string({ unit: 'grapheme', maxLength: 12 }).filter(isStorable));
    default:
      throw new Error(`No generator for scalar ${type.name}: add one to test/malformed-inputs.ts`);
  }
}

/** Values of `type` at `place` that the server must refuse, whatever the other arguments hold. */
function malformed(type: GraphQLInputType, place: Place, known: Known): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: malformed(type.ofType, place, known) });
  const inRow = ROW_TYPES.has(place.parent);
  const rule = !inRow && (BROKEN_BY_PLACE[`${place.parent}.${place.name}`] ?? BROKEN_BY_NAME[place.name]);
  const byRule = rule ? [rule] : [];
  if (isListType(type)) {
    const item = malformed(type.ofType, place, known);
    const filler = anyValue(type.ofType, place, known);
    return fc.oneof(
      fc.tuple(fc.array(filler, { maxLength: 2 }), item, fc.array(filler, { maxLength: 2 })).map(([a, bad, b]) => [...a, bad, ...b]),
      // One value where a list goes is taken as a list of one (GraphQL's input coercion).
      item,
      ...byRule,
    );
  }
  if (isInputObjectType(type)) return malformedObject(type.name, Object.values(type.getFields()), known);
  if (isEnumType(type)) {
    const values = type.getValues().map((v) => v.name);
    return fc.oneof(fc.constantFrom('NOT_A_VALUE', '', ...values.map((v) => v.toLowerCase())), fc.integer(), fc.boolean(), ...byRule);
  }
  if (!isScalarType(type)) throw new Error(`Unexpected input type ${String(type)}`);
  switch (type.name) {
    case 'String':
      return fc.oneof(notString, unstorable, ...(inRow ? [] : [fc.constant(HUGE)]), ...byRule);
    case 'Int':
      return fc.oneof(notInt, ...byRule);
    case 'Boolean':
      return fc.oneof(notBoolean, ...byRule);
    case 'DateTimeISO':
      return fc.oneof(notDate, ...byRule);
    case 'ID':
      // An id that is no UUID names no row; an unknown one is NOT_FOUND unless it only filters a list.
      return fc.oneof(notId, notUuid, fc.integer({ min: 0 }), ...(place.filter ? [] : [fc.uuid({ version: 4 })]), ...byRule);
    default:
      throw new Error(`No malformed values for scalar ${type.name}: add them to test/malformed-inputs.ts`);
  }
}

/** An input object that is not one, has an unknown field, lacks a required one, or has one field malformed. */
function malformedObject(typeName: string, fields: GraphQLInputField[], known: Known): fc.Arbitrary<unknown> {
  const fillers = Object.fromEntries(fields.map((f) => [f.name, anyValue(f.type, fieldPlace(typeName, f), known)]));
  const required = fields.filter(isRequired).map((f) => f.name);
  const object = fc.record(fillers, { requiredKeys: required, noNullPrototype: true });
  const broken = fc.integer({ min: 0, max: fields.length - 1 }).chain((i) => {
    const field = fields[i];
    const bad = malformed(field.type, fieldPlace(typeName, field), known);
    return fc.tuple(object, isRequired(field) ? orOmitted(bad) : bad).map(([value, badValue]) => {
      const copy: Record<string, unknown> = { ...value };
      if (badValue === OMIT) delete copy[field.name];
      else copy[field.name] = badValue;
      return copy;
    });
  });
  return fc.oneof(
    { weight: 4, arbitrary: broken },
    { weight: 1, arbitrary: fc.tuple(object, name.filter((n) => !(n in fillers)), fc.oneof(ascii, fc.integer(), fc.boolean(), fc.constant(null))).map(([value, key, extra]) => ({ ...value, [key]: extra })) },
    { weight: 1, arbitrary: fc.oneof(ascii, fc.integer(), fc.boolean()) },
  );
}

/** A required value malformed, or left out now and then. */
const orOmitted = (bad: fc.Arbitrary<unknown>) => fc.oneof({ weight: 4, arbitrary: bad }, { weight: 1, arbitrary: fc.constant<unknown>(OMIT) });

const isRequired = (field: GraphQLInputField | GraphQLArgument) => isNonNullType(field.type) && field.defaultValue === undefined;
const fieldPlace = (parent: string, field: GraphQLInputField): Place => ({ parent, name: field.name, filter: false });
const argPlace = (op: Operation, arg: GraphQLArgument): Place => ({
  parent: nameOf(op),
  name: arg.name,
  filter: !isNonNullType(arg.type) && getNamedType(arg.type).name === 'ID',
});

interface Call {
  /** Arguments sent as variables. */
  variables: Record<string, unknown>;
  /** Arguments written into the document (`name: literal`). */
  literals?: Record<string, unknown>;
  /** An argument the field does not have. */
  extra?: string;
  aliases?: number;
}

/** The request for one call of `op`, with each argument's declared type. */
function request(op: Operation, broken: string, { variables, literals = {}, extra, aliases = 1 }: Call): Case {
  const args = new Map(op.field.args.map((a) => [a.name, a]));
  const declared = Object.keys(variables).map((n) => `$${n}: ${String(args.get(n)!.type)}`);
  const given = [
    ...Object.keys(variables).map((n) => `${n}: $${n}`),
    ...Object.entries(literals).map(([n, value]) => `${n}: ${literal(value, args.get(n)!.type)}`),
    ...(extra ? [extra] : []),
  ];
  const selection = isCompositeType(getNamedType(op.field.type)) ? ' { __typename }' : '';
  const call = `${op.field.name}${given.length ? `(${given.join(', ')})` : ''}${selection}`;
  const body = aliases === 1 ? call : Array.from({ length: aliases }, (_, i) => `a${i}: ${call}`).join(' ');
  const query = `${op.root === 'Query' ? 'query' : 'mutation'}${declared.length ? `(${declared.join(', ')})` : ''} { ${body} }`;
  return shortPrinted({ broken, query, variables });
}

/** A value as GraphQL literal syntax (enum values bare where `type` has them). */
function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const inner = type && isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, inner && isListType(inner) ? inner.ofType : undefined)).join(', ')}]`;
  if (inner && isListType(inner)) return literal(value, inner.ofType);
  if (typeof value === 'object') {
    const fields = inner && isInputObjectType(inner) ? inner.getFields() : {};
    return `{${Object.entries(value).map(([k, v]) => `${k}: ${literal(v, fields[k]?.type)}`).join(', ')}}`;
  }
  if (typeof value === 'string' && inner && isEnumType(inner) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** fast-check prints a failing case with its long strings cut short. */
function shortPrinted(c: Case): Case {
  const cut = (_key: string, value: unknown) => (typeof value === 'string' && value.length > 300 ? `${value.slice(0, 60)}…(${value.length} chars)` : value);
  return Object.assign(c, { [fc.toStringMethod]: () => JSON.stringify(c, cut, 1) });
}

/**
 * Malformed requests for `op`: one argument malformed (as a variable or written into the
 * document), a required one left out, an argument the field does not have, or 1,000 aliases.
 * The other arguments are fillers, each given or left out.
 */
export function malformedRequests(op: Operation, known: Known): fc.Arbitrary<Case> {
  const args = op.field.args;
  const fillers = fc.record(
    Object.fromEntries(args.map((a) => [a.name, anyValue(a.type, argPlace(op, a), known)])),
    { requiredKeys: args.filter(isRequired).map((a) => a.name), noNullPrototype: true },
  );
  const unknownArgument = fc
    .tuple(fillers, name.filter((n) => !args.some((a) => a.name === n)), fc.constantFrom('1', '"x"', 'null', 'true', '{ a: 1 }'))
    .map(([variables, key, value]) => request(op, 'unknown argument', { variables, extra: `${key}: ${value}` }));
  const aliased = fillers.map((variables) => request(op, `${ALIASES} aliases`, { variables, aliases: ALIASES }));
  if (args.length === 0) return fc.oneof({ weight: 3, arbitrary: unknownArgument }, { weight: 1, arbitrary: aliased });

  const oneBroken = (asLiteral: boolean) =>
    fc.integer({ min: 0, max: args.length - 1 }).chain((i) => {
      const arg = args[i];
      const bad = malformed(arg.type, argPlace(op, arg), known);
      return fc.tuple(fillers, isRequired(arg) && !asLiteral ? orOmitted(bad) : bad).map(([given, value]) => {
        const variables: Record<string, unknown> = { ...given };
        delete variables[arg.name];
        if (value === OMIT) return request(op, `missing ${arg.name}`, { variables });
        if (asLiteral) return request(op, `literal ${arg.name}`, { variables, literals: { [arg.name]: value } });
        return request(op, `variable ${arg.name}`, { variables: { ...variables, [arg.name]: value } });
      });
    });
  return fc.oneof(
    { weight: 6, arbitrary: oneBroken(false) },
    { weight: 2, arbitrary: oneBroken(true) },
    { weight: 1, arbitrary: unknownArgument },
    { weight: 1, arbitrary: aliased },
  );
}
