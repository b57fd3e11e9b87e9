import { Role } from '../src/common/actor';
import { startTestApp, type TestApp, type TestUser } from './harness';
import { ok } from './mailing-helpers';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ SERVER_ROLE: 'api' });
});
afterAll(() => t.close());

const IMPORT = `mutation($rows: [RecipientImportRow!]!) {
  importRecipients(rows: $rows) { imported updated skipped rows { index email outcome recipientId field reason } }
}`;
const LIST = `query { recipients(limit: 200) { total items { id email fullName comment } } }`;

type Row = { email: string; fullName?: string; comment?: string };
const importRows = (as: TestUser, rows: Row[]) => t.gql(IMPORT, { rows }, as);
const recipientsOf = async (as: TestUser) =>
  ok(await t.gql(LIST, {}, as)).recipients.items as Array<{ id: string; email: string; fullName: string; comment: string }>;

describe('importRecipients', () => {
  it('inserts new emails, updates known ones and answers per row in order', async () => {
    const owner = await t.createUser();
    const existing = ok(
      await t.gql(`mutation { createRecipient(input: { email: "known@example.com", fullName: "Old", comment: "old" }) { id } }`, {}, owner),
    ).createRecipient.id;

    const result = ok(
      await importRows(owner, [
        { email: ' New@Example.com ', fullName: 'New Person', comment: 'from CSV' },
        { email: 'KNOWN@example.com', fullName: 'Renamed' },
      ]),
    ).importRecipients;

    expect(result).toMatchObject({ imported: 1, updated: 1, skipped: 0 });
    expect(result.rows).toEqual([
      { index: 0, email: ' New@Example.com ', outcome: 'IMPORTED', recipientId: expect.any(String), field: null, reason: null },
      { index: 1, email: 'KNOWN@example.com', outcome: 'UPDATED', recipientId: existing, field: null, reason: null },
    ]);
    const byEmail = new Map((await recipientsOf(owner)).map((r) => [r.email, r]));
    expect(byEmail.get('new@example.com')).toMatchObject({ id: result.rows[0].recipientId, fullName: 'New Person', comment: 'from CSV' });
    // The row's values replace the old ones, an omitted comment included.
    expect(byEmail.get('known@example.com')).toMatchObject({ id: existing, fullName: 'Renamed', comment: '' });
    expect(byEmail.size).toBe(2);
  });

  it('skips bad rows and repeated emails with field and reason, and imports the rest', async () => {
    const owner = await t.createUser();
    const result = ok(
      await importRows(owner, [
        { email: 'first@example.com' },
        { email: 'not-an-email' },
        { email: 'long@example.com', fullName: 'x'.repeat(201) },
        { email: 'first@EXAMPLE.com', fullName: 'Again' },
        { email: 'comment@example.com', comment: 'y'.repeat(2001) },
        { email: 'second@example.com' },
      ]),
    ).importRecipients;

    expect(result).toMatchObject({ imported: 2, updated: 0, skipped: 4 });
    const skipped = result.rows.filter((r: { outcome: string }) => r.outcome === 'SKIPPED');
    expect(skipped).toEqual([
      expect.objectContaining({ index: 1, field: 'email', reason: 'Enter a valid email address.', recipientId: null }),
      expect.objectContaining({ index: 2, field: 'fullName', reason: 'Full name is at most 200 characters.' }),
      expect.objectContaining({ index: 3, field: 'email', reason: 'Duplicate of row 0' }),
      expect.objectContaining({ index: 4, field: 'comment', reason: 'Comment is at most 2000 characters.' }),
    ]);
    const emails = (await recipientsOf(owner)).map((r) => r.email).sort();
    expect(emails).toEqual(['first@example.com', 'second@example.com']);
    // The first of the repeated rows is the one kept.
    expect((await recipientsOf(owner)).find((r) => r.email === 'first@example.com')?.fullName).toBe('');
  });

  it('refuses a call holding a NUL anywhere with BAD_USER_INPUT on the field, before any row is written', async () => {
    const owner = await t.createUser();
    const res = await importRows(owner, [{ email: 'fine@example.com' }, { email: 'nul@example.com', comment: 'a\u0000b' }]);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'comment' });
    expect(await recipientsOf(owner)).toEqual([]);
  });

  it.each([
    ['no rows', 0],
    ['more than 1000 rows', 1001],
  ])('refuses %s with BAD_USER_INPUT on rows and changes nothing', async (_what, count) => {
    const owner = await t.createUser();
    const rows = Array.from({ length: count }, (_, i) => ({ email: `r${i}@example.com` }));
    const res = await importRows(owner, rows);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rows' });
    expect(await recipientsOf(owner)).toEqual([]);
  });

  it('imports 1000 rows in one call, and the same rows again as updates', async () => {
    const owner = await t.createUser();
    const rows = Array.from({ length: 1000 }, (_, i) => ({ email: `bulk${i}@example.com`, fullName: `Bulk ${i}` }));
    expect(ok(await importRows(owner, rows)).importRecipients).toMatchObject({ imported: 1000, updated: 0, skipped: 0 });
    const again = ok(await importRows(owner, rows)).importRecipients;
    expect(again).toMatchObject({ imported: 0, updated: 1000, skipped: 0 });
    expect(again.rows[999]).toMatchObject({ index: 999, email: 'bulk999@example.com', outcome: 'UPDATED' });
    expect(ok(await t.gql(LIST, {}, owner)).recipients.total).toBe(1000);
  });

  it("keeps owners apart: the same email is another owner's new recipient", async () => {
    const a = await t.createUser();
    const b = await t.createUser();
    ok(await importRows(a, [{ email: 'shared@example.com', fullName: 'A' }]));
    const res = ok(await importRows(b, [{ email: 'shared@example.com', fullName: 'B' }])).importRecipients;
    expect(res).toMatchObject({ imported: 1, updated: 0 });
    expect((await recipientsOf(a))[0].fullName).toBe('A');
  });

  it('updates the home figures (cached reads are invalidated)', async () => {
    const owner = await t.createUser();
    const home = async () => ok(await t.gql(`{ home { uniqueRecipients } }`, {}, owner)).home.uniqueRecipients as number;
    expect(await home()).toBe(0);
    ok(await importRows(owner, [{ email: 'a@example.com' }, { email: 'b@example.com' }]));
    expect(await home()).toBe(2);
  });

  it('lets no manager or admin import', async () => {
    for (const role of [Role.MANAGER, Role.ADMIN]) {
      const staff = await t.createUser({ role });
      const res = await importRows(staff, [{ email: 'x@example.com' }]);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const found = ok(await t.gql(`{ recipients(search: "x@example.com") { total } }`, {}, staff));
      expect(found.recipients.total).toBe(0);
    }
  });
});
