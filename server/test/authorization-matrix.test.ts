import { randomBytes } from 'node:crypto';
import { isObjectType } from 'graphql';
import { hashPassword } from '../src/users/passwords';
import { Session } from '../src/users/session.entity';
import { newToken } from '../src/auth/tokens';
import { issueUserToken } from '../src/auth/user-tokens';
import { UserTokenKind } from '../src/auth/user-token.entity';
import { Mailing } from '../src/mailings/mailing.entity';
import { Message } from '../src/messages/message.entity';
import { Recipient } from '../src/recipients/recipient.entity';
import { buildBareSchema } from '../src/schema';
import { Attempt, AttemptStatus } from '../src/sending/attempt.entity';
import { Delivery, DeliveryStatus } from '../src/sending/delivery.entity';
import { Role } from '../src/common/actor';
import { User } from '../src/users/user.entity';
import { startTestApp, type TestApp } from './harness';

/**
 * Every query and mutation × every kind of caller, each cell asserted.
 * A new root field without a row here fails the completeness test.
 */

const CALLERS = ['anonymous', 'owner', 'other', 'manager', 'admin', 'blocked'] as const;
type Caller = (typeof CALLERS)[number];

/**
 * OK: answered without error. SEES / HIDDEN: a list answered and the owner's row is in it / is not.
 * The rest are error codes.
 */
type Outcome = 'OK' | 'SEES' | 'HIDDEN' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND';

const PASSWORD = 'matrix password 1';

/** Fresh rows for one cell: the owner's data plus one account of each kind. */
interface World {
  owner: User;
  tokens: Record<Exclude<Caller, 'anonymous'>, string>;
  recipient: Recipient;
  message: Message;
  spareMessage: Message;
  mailing: Mailing;
  attempt: Attempt;
  verifyToken: string;
  resetToken: string;
}

interface Row {
  doc: string;
  vars?: (w: World) => Record<string, unknown>;
  expect: Record<Caller, Outcome>;
  /** For SEES/HIDDEN: the id of the owner's row that the caller must (not) find in the answer. */
  ownerRowId?: (w: World) => string;
}

const each = (outcome: Outcome): Record<Caller, Outcome> => ({
  anonymous: outcome,
  owner: outcome,
  other: outcome,
  manager: outcome,
  admin: outcome,
  blocked: outcome,
});
const signedIn = (owner: Outcome, other: Outcome, manager: Outcome, admin: Outcome): Record<Caller, Outcome> => ({
  anonymous: 'UNAUTHENTICATED',
  owner,
  other,
  manager,
  admin,
  blocked: 'UNAUTHENTICATED',
});
const ownedRead = signedIn('OK', 'NOT_FOUND', 'OK', 'OK');
const ownedList = signedIn('SEES', 'HIDDEN', 'SEES', 'SEES');
const ownedWrite = signedIn('OK', 'NOT_FOUND', 'FORBIDDEN', 'FORBIDDEN');
const userCreate = signedIn('OK', 'OK', 'FORBIDDEN', 'FORBIDDEN');
const staffOnly = signedIn('FORBIDDEN', 'FORBIDDEN', 'OK', 'OK');
const adminOnly = signedIn('FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK');
const anySignedIn = signedIn('OK', 'OK', 'OK', 'OK');
const future = (ms: number) => new Date(Date.now() + ms).toISOString();

const rows: Record<string, Row> = {
  // Accounts: open to everyone, or acting on the caller's own account.
  'Query.me': { doc: `{ me { id } }`, expect: each('OK') },
  'Mutation.register': {
    doc: `mutation($e: String!) { register(input: { email: $e, password: "long enough pw" }) { id } }`,
    vars: () => ({ e: `new-${randomBytes(4).toString('hex')}@example.test` }),
    expect: each('OK'),
  },
  'Mutation.verifyEmail': { doc: `mutation($t: String!) { verifyEmail(token: $t) { id } }`, vars: (w) => ({ t: w.verifyToken }), expect: each('OK') },
  'Mutation.resendVerification': { doc: `mutation { resendVerification(email: "nobody@example.test") }`, expect: each('OK') },
  'Mutation.login': {
    doc: `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`,
    vars: (w) => ({ e: w.owner.email, p: PASSWORD }),
    expect: each('OK'),
  },
  'Mutation.requestPasswordReset': { doc: `mutation($e: String!) { requestPasswordReset(email: $e) }`, vars: (w) => ({ e: w.owner.email }), expect: each('OK') },
  'Mutation.resetPassword': {
    doc: `mutation($t: String!) { resetPassword(token: $t, password: "another long pw") }`,
    vars: (w) => ({ t: w.resetToken }),
    expect: each('OK'),
  },
  'Mutation.logout': { doc: `mutation { logout }`, expect: anySignedIn },
  'Mutation.updateProfile': { doc: `mutation { updateProfile(input: { fullName: "Renamed" }) { id } }`, expect: anySignedIn },
  'Mutation.changePassword': {
    doc: `mutation($p: String!) { changePassword(currentPassword: $p, newPassword: "brand new password") }`,
    vars: () => ({ p: PASSWORD }),
    expect: anySignedIn,
  },

  // Users: staff read, admins manage, staff block. The target is the owner's account.
  'Query.users': { doc: `{ users(limit: 200) { items { id } } }`, expect: staffOnly },
  'Query.user': { doc: `query($id: ID!) { user(id: $id) { id } }`, vars: (w) => ({ id: w.owner.id }), expect: staffOnly },
  'Mutation.createUser': {
    doc: `mutation($e: String!) { createUser(input: { email: $e, password: "long enough pw", fullName: "N", role: USER }) { id } }`,
    vars: () => ({ e: `made-${randomBytes(4).toString('hex')}@example.test` }),
    expect: adminOnly,
  },
  'Mutation.updateUser': { doc: `mutation($id: ID!) { updateUser(id: $id, input: { fullName: "X" }) { id } }`, vars: (w) => ({ id: w.owner.id }), expect: signedIn('FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK') },
  'Mutation.deleteUser': { doc: `mutation($id: ID!) { deleteUser(id: $id) }`, vars: (w) => ({ id: w.owner.id }), expect: signedIn('FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'OK') },
  'Mutation.blockUser': { doc: `mutation($id: ID!) { blockUser(id: $id) { id } }`, vars: (w) => ({ id: w.owner.id }), expect: staffOnly },
  'Mutation.unblockUser': { doc: `mutation($id: ID!) { unblockUser(id: $id) { id } }`, vars: (w) => ({ id: w.owner.id }), expect: staffOnly },

  // Recipients.
  'Query.recipients': { doc: `{ recipients(limit: 200) { items { id } } }`, expect: ownedList, ownerRowId: (w) => w.recipient.id },
  'Query.recipient': { doc: `query($id: ID!) { recipient(id: $id) { id } }`, vars: (w) => ({ id: w.recipient.id }), expect: ownedRead },
  'Mutation.createRecipient': { doc: `mutation { createRecipient(input: { email: "fresh@example.test" }) { id } }`, expect: userCreate },
  'Mutation.updateRecipient': { doc: `mutation($id: ID!) { updateRecipient(id: $id, input: { comment: "c" }) { id } }`, vars: (w) => ({ id: w.recipient.id }), expect: ownedWrite },
  'Mutation.importRecipients': { doc: `mutation { importRecipients(rows: [{ email: "imported@example.test" }]) { imported } }`, expect: userCreate },
  'Mutation.deleteRecipient': { doc: `mutation($id: ID!) { deleteRecipient(id: $id) }`, vars: (w) => ({ id: w.recipient.id }), expect: ownedWrite },

  // Messages.
  'Query.messages': { doc: `{ messages(limit: 200) { items { id } } }`, expect: ownedList, ownerRowId: (w) => w.message.id },
  'Query.message': { doc: `query($id: ID!) { message(id: $id) { id } }`, vars: (w) => ({ id: w.message.id }), expect: ownedRead },
  'Query.messageSender': { doc: `{ messageSender { address } }`, expect: anySignedIn },
  'Mutation.createMessage': { doc: `mutation { createMessage(input: { subject: "S", body: "B" }) { id } }`, expect: userCreate },
  'Mutation.updateMessage': { doc: `mutation($id: ID!) { updateMessage(id: $id, input: { subject: "S2" }) { id } }`, vars: (w) => ({ id: w.message.id }), expect: ownedWrite },
  'Mutation.deleteMessage': { doc: `mutation($id: ID!) { deleteMessage(id: $id) }`, vars: (w) => ({ id: w.spareMessage.id }), expect: ownedWrite },

  // Mailings.
  'Query.mailings': { doc: `{ mailings(limit: 200) { items { id } } }`, expect: ownedList, ownerRowId: (w) => w.mailing.id },
  'Query.mailing': { doc: `query($id: ID!) { mailing(id: $id) { id } }`, vars: (w) => ({ id: w.mailing.id }), expect: ownedRead },
  'Mutation.createMailing': {
    doc: `mutation($m: ID!, $r: ID!, $s: DateTimeISO!, $e: DateTimeISO!) { createMailing(input: { messageId: $m, recipientIds: [$r], startAt: $s, endAt: $e }) { id } }`,
    vars: (w) => ({ m: w.message.id, r: w.recipient.id, s: future(86400_000), e: future(2 * 86400_000) }),
    expect: ownedWrite,
  },
  'Mutation.updateMailing': {
    doc: `mutation($id: ID!, $e: DateTimeISO!) { updateMailing(id: $id, input: { endAt: $e }) { id } }`,
    vars: (w) => ({ id: w.mailing.id, e: future(3 * 86400_000) }),
    expect: ownedWrite,
  },
  'Mutation.deleteMailing': { doc: `mutation($id: ID!) { deleteMailing(id: $id) }`, vars: (w) => ({ id: w.mailing.id }), expect: ownedWrite },
  'Mutation.pauseMailing': { doc: `mutation($id: ID!) { pauseMailing(id: $id) { id } }`, vars: (w) => ({ id: w.mailing.id }), expect: ownedWrite },
  'Mutation.resumeMailing': { doc: `mutation($id: ID!) { resumeMailing(id: $id) { id } }`, vars: (w) => ({ id: w.mailing.id }), expect: ownedWrite },
  'Mutation.disableMailing': { doc: `mutation($id: ID!) { disableMailing(id: $id) { id } }`, vars: (w) => ({ id: w.mailing.id }), expect: staffOnly },
  'Mutation.enableMailing': { doc: `mutation($id: ID!) { enableMailing(id: $id) { id } }`, vars: (w) => ({ id: w.mailing.id }), expect: staffOnly },

  // Sending.
  'Mutation.sendMailingNow': { doc: `mutation($id: ID!) { sendMailingNow(id: $id) { id } }`, vars: (w) => ({ id: w.mailing.id }), expect: ownedWrite },
  'Mutation.retryFailedDeliveries': { doc: `mutation($id: ID!) { retryFailedDeliveries(attemptId: $id) { id } }`, vars: (w) => ({ id: w.attempt.id }), expect: ownedWrite },
  'Query.attemptProgress': { doc: `query($id: ID!) { attemptProgress(id: $id) { total } }`, vars: (w) => ({ id: w.attempt.id }), expect: ownedRead },
  'Query.mailingProgress': { doc: `query($id: ID!) { mailingProgress(mailingId: $id) { total } }`, vars: (w) => ({ id: w.mailing.id }), expect: ownedRead },

  // Home figures and reports: everyone signed in reads, scoped to their own (staff: everyone's).
  'Query.home': { doc: `{ home { totalMailings } }`, expect: anySignedIn },
  'Query.mailingReports': {
    doc: `query($id: ID!) { mailingReports(mailingId: $id) { items { mailing { id } } } }`,
    vars: (w) => ({ id: w.mailing.id }),
    expect: ownedList,
    ownerRowId: (w) => w.mailing.id,
  },
  'Query.attemptDeliveries': { doc: `query($id: ID!) { attemptDeliveries(attemptId: $id) { total } }`, vars: (w) => ({ id: w.attempt.id }), expect: ownedRead },
  'Query.deliveryDaily': {
    doc: `query($f: DateTimeISO!, $t: DateTimeISO!) { deliveryDaily(from: $f, to: $t) { day sent failed } }`,
    vars: () => ({ f: new Date(Date.now() - 86400_000).toISOString(), t: new Date().toISOString() }),
    expect: anySignedIn,
  },
  'Query.userStats': {
    doc: `query($e: String!) { userStats(search: $e) { items { user { id } } } }`,
    vars: (w) => ({ e: w.owner.email }),
    expect: ownedList,
    ownerRowId: (w) => w.owner.id,
  },
};

let t: TestApp;
let passwordHash: string;

beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
  passwordHash = await hashPassword(PASSWORD);
});
afterAll(() => t?.close());

async function buildWorld(): Promise<World> {
  const em = t.app.orm.em.fork();
  const account = (role: Role, blocked = false) => {
    const user = em.create(User, {
      email: `${role.toLowerCase()}-${randomBytes(5).toString('hex')}@example.test`,
      passwordHash,
      role,
      blocked,
      emailVerifiedAt: new Date(),
    });
    const { token, hash } = newToken();
    em.create(Session, { tokenHash: hash, user, expiresAt: new Date(Date.now() + 3600_000) });
    return { user, token };
  };
  const owner = account(Role.USER);
  const other = account(Role.USER);
  const manager = account(Role.MANAGER);
  const admin = account(Role.ADMIN);
  const blocked = account(Role.USER, true);
  const recipient = em.create(Recipient, { email: 'r@example.test', owner: owner.user });
  const message = em.create(Message, { subject: 'Hello', body: 'Body', owner: owner.user });
  const spareMessage = em.create(Message, { subject: 'Spare', body: 'Unused', owner: owner.user });
  const mailing = em.create(Mailing, {
    startAt: new Date(Date.now() + 86400_000),
    endAt: new Date(Date.now() + 2 * 86400_000),
    message,
    owner: owner.user,
  });
  mailing.recipients.add(recipient);
  const attempt = em.create(Attempt, { mailing, status: AttemptStatus.FAILURE, total: 1, failedCount: 1, finishedAt: new Date() });
  em.create(Delivery, { attempt, recipient, email: recipient.email, status: DeliveryStatus.FAILED, tries: 1 });
  const unverified = em.create(User, { email: `unverified-${randomBytes(5).toString('hex')}@example.test`, passwordHash });
  const verifyToken = issueUserToken(em, unverified, UserTokenKind.VERIFY_EMAIL, 3600_000);
  const resetToken = issueUserToken(em, owner.user, UserTokenKind.RESET_PASSWORD, 3600_000);
  await em.flush();
  return {
    owner: owner.user,
    tokens: { owner: owner.token, other: other.token, manager: manager.token, admin: admin.token, blocked: blocked.token },
    recipient,
    message,
    spareMessage,
    mailing,
    attempt,
    verifyToken,
    resetToken,
  };
}

it('has a row for every query and mutation in the schema', async () => {
  const schema = await buildBareSchema();
  const fields = (['Query', 'Mutation'] as const).flatMap((root) => {
    const type = schema.getType(root);
    return type && isObjectType(type) ? Object.keys(type.getFields()).map((f) => `${root}.${f}`) : [];
  });
  expect(fields.filter((f) => !rows[f])).toEqual([]);
  expect(Object.keys(rows).filter((r) => !fields.includes(r))).toEqual([]);
});

const cells = Object.entries(rows).flatMap(([field, row]) => CALLERS.map((caller) => [field, caller, row.expect[caller]] as const));

/** Every table's rows, as a digest per table: a refused write must leave all of them as they were. */
async function snapshot(): Promise<Record<string, string>> {
  const em = t.app.orm.em.fork();
  const tables = await em.execute<Array<{ name: string }>>(
    `select table_name as name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'mikro_orm_migrations' order by 1`,
  );
  const digest: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await em.execute<Array<{ rows: string; md5: string }>>(
      `select count(*)::text as rows, md5(coalesce(string_agg(t::text, ',' order by t::text), '')) as md5 from "${name}" t`,
    );
    digest[name] = `${row.rows} rows, ${row.md5}`;
  }
  return digest;
}

it.each(cells)('%s as %s: %s', async (field, caller, outcome) => {
  const row = rows[field];
  const world = await buildWorld();
  const refusedWrite = field.startsWith('Mutation.') && !['OK', 'SEES', 'HIDDEN'].includes(outcome);
  const before = refusedWrite ? await snapshot() : undefined;
  const res = await t.gql(row.doc, row.vars?.(world), caller === 'anonymous' ? undefined : world.tokens[caller]);
  const code = res.errors?.[0]?.extensions?.code;
  if (outcome === 'OK' || outcome === 'SEES' || outcome === 'HIDDEN') {
    expect(res.errors).toBeUndefined();
    expect(res.data).toBeTruthy();
    if (outcome !== 'OK') {
      const body = JSON.stringify(res.data);
      const id = row.ownerRowId!(world);
      if (outcome === 'SEES') expect(body).toContain(id);
      else expect(body).not.toContain(id);
    }
  } else {
    expect(code).toBe(outcome);
  }
  if (before) expect(await snapshot()).toEqual(before);
});
