import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { buildSchema, isObjectType, parse, validate } from 'graphql';
import { loadConfig } from '../src/config';
import { queryLimits } from '../src/common/query-limits';
import { schemaFilePath } from '../src/schema';
import { Role } from '../src/common/actor';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { DOCUMENTS, examplesIn, webOperations } from './graphql-documents';
import { createMailing, createMessage, createRecipients } from './mailing-helpers';

let t: TestApp;
let admin: TestUser;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
  admin = await t.createUser({ role: Role.ADMIN });
});
afterAll(() => t?.close());

/** A raw POST /graphql: the HTTP status and the answer. */
async function post(query: string, as?: TestUser) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(as && { authorization: `Bearer ${as.token}` }) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

const LIMIT_CODES = ['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'];

describe('the default limits', () => {
  const documented = DOCUMENTS.flatMap((file) => examplesIn(file).map((query, i) => ({ name: `${file} #${i + 1}`, query })));

  it.each([...webOperations(), ...documented])('let $name through', async ({ query }) => {
    // Anonymous and without variables: refused after the limits are checked (UNAUTHENTICATED, BAD_USER_INPUT), or harmless.
    const { body } = await post(query);
    expect(body.errors?.filter((e) => LIMIT_CODES.includes(e.extensions?.code ?? '')) ?? []).toEqual([]);
  });
});

describe('a request over a limit is refused before it runs', () => {
  const aliases = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
  const HEAVY = 'mailings(limit: 200) { items { recipients { email } message { body } } }';

  it('the 1,000-alias request of issue 9 stops while parsing, at the token limit', async () => {
    const { status, body } = await post(aliases(1000, HEAVY), admin);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/more that 1000 tokens/), extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
    ]);
  });

  it.each([
    ['aliases', aliases(16, HEAVY), /Aliases limit of 15 exceeded, found 16/],
    [
      'depth',
      // No type of the schema leads back to itself: fragments spread in fragments go deep (armor counts a spread as two levels).
      '{ mailings { items { ...F0 } } } fragment F0 on Mailing { ...F1 } fragment F1 on Mailing { ...F2 } fragment F2 on Mailing { ...F3 } fragment F3 on Mailing { id }',
      /depth limit of 10 exceeded, found 11/,
    ],
    ['directives', `{ me { ${'id @include(if: true) '.repeat(51)} } }`, /Directives limit of 50 exceeded, found 51/],
    [
      'cost',
      `${aliases(15, 'mailings { items { ...F } }')} fragment F on Mailing { id status startAt endAt createdAt recipientCount owner { id email fullName role blocked }
        message { id subject body } attempts { items { id status total sentCount failedCount uncertainCount } }
        recipientPage { items { id email fullName comment } } progress { attemptId status total sent failed uncertain pending sending } }`,
      /Query Cost limit of 5000 exceeded/,
    ],
  ])('%s', async (_limit, query, message) => {
    const { status, body } = await post(query, admin);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(message), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
  });

  it('field suggestions are not given away', async () => {
    const { body } = await post('{ me { emial } }', admin);
    expect(body.errors?.[0].message).not.toMatch(/Did you mean|email/);
  });
});

it('takes its limits from the configuration', () => {
  const schema = buildSchema(fs.readFileSync(schemaFilePath, 'utf8'));
  const limits = queryLimits(loadConfig({ QUERY_MAX_ALIASES: '1', QUERY_MAX_DEPTH: '2', QUERY_MAX_DIRECTIVES: '0', QUERY_MAX_COST: '4' }));
  const errors = (query: string) => validate(schema, parse(query), limits.validationRules).map((e) => e.message);
  expect(errors('{ a: me { id } }')).toEqual([]);
  expect(errors('{ a: me { id } b: me { id } }')).toEqual([expect.stringMatching(/Cost limit of 4 /), expect.stringMatching(/Aliases limit of 1 /)]);
  expect(errors('{ me { id @skip(if: false) } }')).toEqual([expect.stringMatching(/Directives limit of 0 /)]);
  expect(errors('{ mailings { items { id } } }')).toEqual([expect.stringMatching(/Cost limit of 4 /), expect.stringMatching(/depth limit of 2 /)]);
  expect(queryLimits(loadConfig({ QUERY_MAX_TOKENS: '7' })).parseOptions).toEqual({ maxTokens: 7 });
});

describe('every list argument is bounded', () => {
  const schema = buildSchema(fs.readFileSync(schemaFilePath, 'utf8'));
  let mailingId: string;
  beforeAll(async () => {
    const owner = await t.createUser();
    const recipientIds = await createRecipients(t, owner, 1);
    mailingId = await createMailing(t, owner, { messageId: await createMessage(t, owner), recipientIds });
  });

  /** A request per field that takes a `limit`, asking for one too many. */
  const tooLong: Record<string, () => string> = {
    'Query.mailings': () => '{ mailings(limit: 201) { total } }',
    'Query.messages': () => '{ messages(limit: 201) { total } }',
    'Query.recipients': () => '{ recipients(limit: 201) { total } }',
    'Query.users': () => '{ users(limit: 201) { total } }',
    'Query.userStats': () => '{ userStats(limit: 201) { total } }',
    'Query.mailingReports': () => '{ mailingReports(limit: 201) { total } }',
    'Query.attemptDeliveries': () => `{ attemptDeliveries(attemptId: "${randomUUID()}", limit: 201) { total } }`,
    'Mailing.attempts': () => `{ mailing(id: "${mailingId}") { attempts(limit: 201) { total } } }`,
    'Mailing.recipientPage': () => `{ mailing(id: "${mailingId}") { recipientPage(limit: 201) { total } } }`,
    'Mailing.recipients': () => `{ mailing(id: "${mailingId}") { recipients(limit: 201) { id } } }`,
  };

  it('the list above names every field that takes a limit', () => {
    const withLimit = Object.values(schema.getTypeMap())
      .filter(isObjectType)
      .flatMap((type) => Object.values(type.getFields()).filter((f) => f.args.some((a) => a.name === 'limit')).map((f) => `${type.name}.${f.name}`));
    expect(withLimit.sort()).toEqual(Object.keys(tooLong).sort());
  });

  it.each(Object.keys(tooLong))('%s refuses limit 201 as BAD_USER_INPUT on limit', async (field) => {
    const res = await t.gql(tooLong[field](), {}, admin);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
  });
});
