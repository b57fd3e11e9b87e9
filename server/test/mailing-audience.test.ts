import { Mailing, MailingStatus } from '../src/mailings/mailing.entity';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { createMessage, createRecipients, hoursFromNow, ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
});
afterAll(() => t.close());

const CREATE = `mutation($input: MailingInput!) { createMailing(input: $input) { id recipientCount } }`;
const UPDATE = `mutation($id: ID!, $input: MailingUpdateInput!) { updateMailing(id: $id, input: $input) { id recipientCount } }`;
const COUNT = `query($id: ID!) { mailing(id: $id) { recipientCount } }`;
const TOTAL = `{ mailings { total } }`;

const window = () => ({ startAt: hoursFromNow(1), endAt: hoursFromNow(2) });
const code = (res: { errors?: Array<{ extensions?: Record<string, unknown> }> }) => res.errors?.[0].extensions;

async function sender(recipients: number): Promise<{ user: TestUser; messageId: string; recipientIds: string[] }> {
  const user = await t.createUser();
  return { user, messageId: await createMessage(t, user), recipientIds: await createRecipients(t, user, recipients) };
}

describe('mailings to all recipients', () => {
  it('creates a mailing to every recipient the owner has now, and only theirs', async () => {
    const { user, messageId } = await sender(4);
    await sender(2); // another owner's recipients stay out
    const created = ok(await t.gql(CREATE, { input: { ...window(), messageId, allRecipients: true } }, user)).createMailing;
    expect(created.recipientCount).toBe(4);
    // Recipients added later do not join.
    await createRecipients(t, user, 1);
    expect(ok(await t.gql(COUNT, { id: created.id }, user)).mailing.recipientCount).toBe(4);
  });

  it('refuses recipientIds beside allRecipients, and an empty list without it, changing nothing', async () => {
    const { user, messageId, recipientIds } = await sender(2);
    const both = await t.gql(CREATE, { input: { ...window(), messageId, allRecipients: true, recipientIds } }, user);
    expect(code(both)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipientIds' });
    const none = await t.gql(CREATE, { input: { ...window(), messageId } }, user);
    expect(code(none)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipientIds' });
    const explicitFalse = await t.gql(CREATE, { input: { ...window(), messageId, allRecipients: false, recipientIds: [] } }, user);
    expect(code(explicitFalse)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipientIds' });
    expect(ok(await t.gql(TOTAL, {}, user)).mailings.total).toBe(0);
  });

  it('refuses allRecipients for an owner who has no recipients', async () => {
    const { user, messageId } = await sender(0);
    const res = await t.gql(CREATE, { input: { ...window(), messageId, allRecipients: true } }, user);
    expect(code(res)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'allRecipients' });
    expect(ok(await t.gql(TOTAL, {}, user)).mailings.total).toBe(0);
  });

  it('replaces the set with all recipients on update, where recipients are editable', async () => {
    const { user, messageId, recipientIds } = await sender(3);
    const id = ok(await t.gql(CREATE, { input: { ...window(), messageId, recipientIds: [recipientIds[0]] } }, user)).createMailing.id;

    const both = await t.gql(UPDATE, { id, input: { allRecipients: true, recipientIds } }, user);
    expect(code(both)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'recipientIds' });
    expect(ok(await t.gql(COUNT, { id }, user)).mailing.recipientCount).toBe(1);

    // false means "not this way": the set stays as it is.
    expect(ok(await t.gql(UPDATE, { id, input: { allRecipients: false } }, user)).updateMailing.recipientCount).toBe(1);
    expect(ok(await t.gql(UPDATE, { id, input: { allRecipients: true } }, user)).updateMailing.recipientCount).toBe(3);

    await createRecipients(t, user, 2);
    await setStatus(id, MailingStatus.RUNNING);
    expect(ok(await t.gql(UPDATE, { id, input: { allRecipients: true } }, user)).updateMailing.recipientCount).toBe(5);

    await setStatus(id, MailingStatus.FINISHED);
    const locked = await t.gql(UPDATE, { id, input: { allRecipients: true } }, user);
    expect(code(locked)).toMatchObject({ code: 'CONFLICT', field: 'recipientIds' });
  });
});

async function setStatus(id: string, status: MailingStatus) {
  await t.app.orm.em.fork().nativeUpdate(Mailing, { id }, { status });
}
