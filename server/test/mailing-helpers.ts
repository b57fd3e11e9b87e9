import type { GqlResult, TestApp, TestUser } from './harness';

/** An ISO time `hours` from now (negative: in the past). */
export const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/** The data of a response that must have succeeded (fails the test with the errors otherwise). */
export function ok<T = Record<string, any>>(res: GqlResult<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

export async function createMessage(t: TestApp, as: TestUser, subject = 'Hello', body = 'Dear reader'): Promise<string> {
  const res = await t.gql(
    `mutation($input: MessageInput!) { createMessage(input: $input) { id } }`,
    { input: { subject, body } },
    as,
  );
  return ok(res).createMessage.id;
}

export async function createRecipients(t: TestApp, as: TestUser, count: number, prefix = 'r'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await t.gql(
      `mutation($input: RecipientInput!) { createRecipient(input: $input) { id } }`,
      { input: { email: `${prefix}${i}-${Math.random().toString(36).slice(2, 8)}@example.com` } },
      as,
    );
    ids.push(ok(res).createRecipient.id);
  }
  return ids;
}

export const CREATE_MAILING = `mutation($input: MailingInput!) {
  createMailing(input: $input) { id status disabled startAt endAt recipientCount message { id subject } recipients { id email } }
}`;

export async function createMailing(
  t: TestApp,
  as: TestUser,
  input: { messageId: string; recipientIds: string[]; startAt?: string; endAt?: string },
): Promise<string> {
  const res = await t.gql(
    CREATE_MAILING,
    { input: { startAt: hoursFromNow(1), endAt: hoursFromNow(2), ...input } },
    as,
  );
  return ok(res).createMailing.id;
}
