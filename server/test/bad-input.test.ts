import fc from 'fast-check';
import { Role } from '../src/common/actor';
import { Mailing } from '../src/mailings/mailing.entity';
import { Message } from '../src/messages/message.entity';
import { Recipient } from '../src/recipients/recipient.entity';
import { buildBareSchema } from '../src/schema';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { startTestApp, type GqlResult, type TestApp, type TestUser } from './harness';
import { malformedRequests, nameOf, operationsOf, type Case, type Known, type Operation } from './malformed-inputs';

/**
 * Issue 9, point 7: generated malformed requests (test/malformed-inputs.ts) to every query and
 * mutation of the schema, each as an anonymous caller, a user and an admin. Every answer must be
 * a coded client error, the server must still be healthy and no table may have gained or lost a row.
 */

/** Fixed, so a failure comes back the same; the report names each failing operation's seed and case. */
const SEED = 20261130;
const MIN_CASES = 1000;
const LANES = 4;

/**
 * The codes a malformed request may get. The request ones (graphql-js, graphql-armor, the
 * storable-strings plugin, the argument rules): BAD_USER_INPUT, GRAPHQL_PARSE_FAILED,
 * GRAPHQL_VALIDATION_FAILED. Those a resolver answers before looking at the bad argument:
 * UNAUTHENTICATED (anonymous; a wrong password), FORBIDDEN (a user calling a staff or admin
 * operation), NOT_FOUND (an unknown id, or another user's row). Not INTERNAL_SERVER_ERROR,
 * and not CONFLICT or TOO_MANY_REQUESTS, which only valid requests may earn.
 */
const ACCEPTED = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
]);

/**
 * Tables whose rows a refused request may change. auth_rate_limits: a login or an account mail
 * is counted per account and address before its input is judged (a wrong password must count),
 * so refused attempts add rows there by design.
 */
const EXCLUDED_TABLES = new Set(['auth_rate_limits']);

let t: TestApp;
let user: TestUser;
let admin: TestUser;
let known: Known;
let operations: Operation[];

/** A recipient, a message, a mailing with a failed run, owned by `owner`; their ids. */
async function rowsOf(owner: TestUser): Promise<string[]> {
  const em = t.app.orm.em.fork();
  const recipient = em.create(Recipient, { email: `r-${owner.user.id}@example.test`, owner: owner.user.id });
  const message = em.create(Message, { subject: 'Hello', body: 'Dear {{fullName}}', owner: owner.user.id });
  const mailing = em.create(Mailing, {
    startAt: new Date(Date.now() + 86_400_000),
    endAt: new Date(Date.now() + 2 * 86_400_000),
    message,
    owner: owner.user.id,
  });
  mailing.recipients.add(recipient);
  const attempt = em.create(Attempt, { mailing, status: AttemptStatus.FAILURE, total: 1, failedCount: 1, finishedAt: new Date() });
  const delivery = em.create(Delivery, { attempt, recipient, email: recipient.email, status: DeliveryStatus.FAILED, tries: 1 });
  await em.flush();
  return [recipient.id, message.id, mailing.id, attempt.id, delivery.id];
}

/** Rows per table of the app's database (every table but the excluded ones). */
async function rowCounts(): Promise<Record<string, number>> {
  const connection = t.app.orm.em.getConnection();
  const tables = await connection.execute<Array<{ name: string }>>(
    `select quote_ident(table_schema) || '.' || quote_ident(table_name) as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema') order by 1`,
  );
  const counted = tables.map((row) => row.name).filter((name) => !EXCLUDED_TABLES.has(name.split('.').pop()!));
  const counts = await connection.execute<Array<{ name: string; count: string }>>(
    counted.map((name) => `select '${name}' as name, count(*) as count from ${name}`).join(' union all '),
  );
  return Object.fromEntries(counts.map((row) => [row.name, Number(row.count)]));
}

beforeAll(async () => {
  // The harness's auth limits (thousands of attempts) stay far above what this test sends.
  t = await startTestApp({ SERVER_ROLE: 'api' });
  user = await t.createUser();
  admin = await t.createUser({ role: Role.ADMIN });
  const other = await t.createUser();
  known = {
    ids: [user.user.id, admin.user.id, other.user.id, ...(await rowsOf(user)), ...(await rowsOf(other))],
    emails: [user.user.email, admin.user.email, other.user.email],
  };
  operations = operationsOf(await buildBareSchema());
});
afterAll(() => t?.close());

const CALLERS = { anonymous: () => undefined, user: () => user, admin: () => admin };

/** Why `res` is not a refusal with accepted codes, or undefined when it is one. */
function notRefused(res: GqlResult): string | undefined {
  if (!res.errors?.length) return 'answered without errors';
  const codes = res.errors.map((error) => error.extensions?.code);
  if (!codes.every((code) => typeof code === 'string' && ACCEPTED.has(code))) return `codes ${JSON.stringify(codes)}`;
  if (Object.values(res.data ?? {}).some((value) => value !== null)) return 'answered data';
  return undefined;
}

it('refuses generated malformed input to every query and mutation with a coded client error, changing no row', async () => {
  expect(operations.length).toBeGreaterThan(0);
  const runs = Math.ceil(MIN_CASES / operations.length);
  const before = await rowCounts();
  const sent = new Map<string, number>();
  const failures: string[] = [];

  async function check(op: Operation) {
    const property = fc.asyncProperty(malformedRequests(op, known), async (request: Case) => {
      const answers = await Promise.all(
        Object.entries(CALLERS).map(async ([caller, as]) => [caller, await t.gql(request.query, request.variables, as())] as const),
      );
      const wrong = answers.flatMap(([caller, res]) => {
        const why = notRefused(res);
        return why ? [`${caller}: ${why}: ${JSON.stringify({ data: res.data, errors: res.errors })}`] : [];
      });
      if (wrong.length) throw new Error(wrong.join('\n'));
    });
    // One seed per operation, so adding an operation does not change the others' cases.
    const seed = [...nameOf(op)].reduce((hash, c) => (hash * 31 + c.charCodeAt(0)) | 0, SEED);
    const details = await fc.check(property, { seed, numRuns: runs });
    sent.set(nameOf(op), details.numRuns);
    if (details.failed) failures.push(`${nameOf(op)}: ${fc.defaultReportMessage(details)}\n${String(details.errorInstance)}`);
  }
  // A few operations at a time: a request spends most of its time waiting.
  const queue = [...operations];
  await Promise.all(Array.from({ length: LANES }, async () => {
    for (let op = queue.shift(); op; op = queue.shift()) await check(op);
  }));

  expect(failures).toEqual([]);
  // Every operation got its cases (a new one is picked up from the schema), over 1,000 in all.
  expect(operations.filter((op) => !sent.get(nameOf(op)))).toEqual([]);
  expect([...sent.values()].reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(MIN_CASES);

  const health = await fetch(`${t.url}/healthz`);
  expect({ status: health.status, body: await health.json() }).toEqual({ status: 200, body: { status: 'ok' } });
  expect(await rowCounts()).toEqual(before);
});
