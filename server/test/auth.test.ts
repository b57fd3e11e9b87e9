import { Session } from '../src/users/session.entity';
import { UserToken, UserTokenKind } from '../src/auth/user-token.entity';
import { User } from '../src/users/user.entity';
import type { ReceivedMail } from './test-smtp';
import { startTestApp, type TestApp } from './harness';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const REGISTER = `mutation($input: RegisterInput!) { register(input: $input) { id email fullName emailVerifiedAt } }`;
const VERIFY = `mutation($token: String!) { verifyEmail(token: $token) { email emailVerifiedAt } }`;
const LOGIN = `mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt user { id email } } }`;
const ME = `{ me { id email fullName phone country avatarUrl } }`;
const LOGOUT = `mutation { logout }`;
const REQUEST_RESET = `mutation($email: String!) { requestPasswordReset(email: $email) }`;
const RESET = `mutation($token: String!, $password: String!) { resetPassword(token: $token, password: $password) }`;
const RESEND = `mutation($email: String!) { resendVerification(email: $email) }`;
const PROTECTED = `{ recipients { total } }`;
const PASSWORD = 'correct horse battery';

let seq = 0;
const freshEmail = () => `person-${Date.now()}-${++seq}@example.test`;

/** The body of a mail as written, with quoted-printable soft line breaks and escapes undone. */
function decodedBody(mail: ReceivedMail): string {
  return mail.raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function tokenFromLink(mail: ReceivedMail, path: string): string {
  const match = new RegExp(`http://app\\.test${path}\\?token=([A-Za-z0-9_-]+)`).exec(decodedBody(mail));
  if (!match) throw new Error(`no ${path} link in mail: ${mail.raw}`);
  return match[1];
}

async function registerVerified(email = freshEmail(), password = PASSWORD): Promise<string> {
  const res = await t.gql(REGISTER, { input: { email, password } });
  expect(res.errors).toBeUndefined();
  const token = tokenFromLink(await t.smtp.mailTo(email), '/verify-email');
  expect((await t.gql(VERIFY, { token })).errors).toBeUndefined();
  return email;
}

async function login(email: string, password = PASSWORD): Promise<string> {
  const res = await t.gql(LOGIN, { email, password });
  expect(res.errors).toBeUndefined();
  return res.data!.login.token as string;
}

const db = () => t.app.orm.em.fork();

describe('register and verify email', () => {
  it('registers, mails a one-time verification link, and allows login only once verified', async () => {
    const email = freshEmail();
    const res = await t.gql(REGISTER, {
      input: { email: email.toUpperCase(), password: PASSWORD, fullName: 'Ann Lee', phone: '+1 (555) 010-0000', country: 'Norway' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!.register).toMatchObject({ email, fullName: 'Ann Lee', emailVerifiedAt: null });

    const blocked = await t.gql(LOGIN, { email, password: PASSWORD });
    expect(blocked.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(blocked.errors?.[0].message).toMatch(/verify your email/i);
    expect(blocked.cookies).toEqual([]);

    const mail = await t.smtp.mailTo(email);
    expect(mail.subject).toMatch(/confirm your email/i);
    const token = tokenFromLink(mail, '/verify-email');
    const stored = await db().findOneOrFail(UserToken, { user: { email } });
    expect(stored.kind).toBe(UserTokenKind.VERIFY_EMAIL);
    expect(stored.tokenHash).not.toContain(token);
    const ttlHours = (stored.expiresAt.getTime() - stored.createdAt.getTime()) / 3_600_000;
    expect(ttlHours).toBeCloseTo(t.app.config.VERIFY_TOKEN_TTL_HOURS, 1);

    const verified = await t.gql(VERIFY, { token });
    expect(verified.errors).toBeUndefined();
    expect(verified.data!.verifyEmail.email).toBe(email);
    expect(Date.parse(verified.data!.verifyEmail.emailVerifiedAt)).not.toBeNaN();

    const again = await t.gql(VERIFY, { token });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });

    expect((await t.gql(LOGIN, { email, password: PASSWORD })).errors).toBeUndefined();
  });

  it('refuses an expired or unknown verification token and leaves the account unverified', async () => {
    const email = freshEmail();
    await t.gql(REGISTER, { input: { email, password: PASSWORD } });
    const token = tokenFromLink(await t.smtp.mailTo(email), '/verify-email');
    await db().nativeUpdate(UserToken, { user: { email } }, { expiresAt: new Date(Date.now() - 1000) });

    const expired = await t.gql(VERIFY, { token });
    expect(expired.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    const unknown = await t.gql(VERIFY, { token: 'no-such-token' });
    expect(unknown.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect((await db().findOneOrFail(User, { email })).emailVerifiedAt).toBeNull();
  });

  it('resends a verification link after a cooldown, and answers true for unknown emails too', async () => {
    const email = freshEmail();
    await t.gql(REGISTER, { input: { email, password: PASSWORD } });
    await t.smtp.mailTo(email, { subject: 'Confirm' });

    expect((await t.gql(RESEND, { email })).data).toEqual({ resendVerification: true });
    expect(await db().count(UserToken, { user: { email } })).toBe(1);

    await db().nativeUpdate(UserToken, { user: { email } }, { createdAt: new Date(Date.now() - 5 * 60_000) });
    expect((await t.gql(RESEND, { email })).data).toEqual({ resendVerification: true });
    const token = tokenFromLink(await t.smtp.mailTo(email, { subject: 'Confirm', count: 2 }), '/verify-email');
    expect((await t.gql(VERIFY, { token })).errors).toBeUndefined();

    expect((await t.gql(RESEND, { email: freshEmail() })).data).toEqual({ resendVerification: true });
  });

  it('answers an address that has an account exactly like a new one, and mails its owner instead', async () => {
    const shape = (res: { data?: Record<string, any> | null; errors?: unknown }) => ({
      errors: res.errors,
      register: { ...res.data?.register, id: typeof res.data?.register.id, email: 'the email' },
    });
    const fresh = await t.gql(REGISTER, { input: { email: freshEmail(), password: PASSWORD } });
    const verified = await registerVerified();
    const unverified = freshEmail();
    await t.gql(REGISTER, { input: { email: unverified, password: PASSWORD } });
    await t.smtp.mailTo(unverified, { subject: 'Confirm' });

    for (const email of [verified, unverified]) {
      const before = await db().findOneOrFail(User, { email }, { populate: ['passwordHash'] });
      const tokens = await db().count(UserToken, { user: before });
      for (const [i, password] of [PASSWORD, 'a wrong password'].entries()) {
        const again = await t.gql(REGISTER, { input: { email: email.toUpperCase(), password } });
        expect(shape(again)).toEqual(shape(fresh));
        expect(again.data!.register.email).toBe(email);
        expect(again.data!.register.id).not.toBe(before.id);
        const mail = await t.smtp.mailTo(email, { subject: 'Someone tried to sign up', count: i + 1 });
        expect(decodedBody(mail)).toContain('http://app.test/forgot-password');
      }
      expect(await db().count(User, { email })).toBe(1);
      expect(await db().findOneOrFail(User, { email }, { populate: ['passwordHash'] })).toMatchObject({
        id: before.id,
        passwordHash: before.passwordHash,
        emailVerifiedAt: before.emailVerifiedAt,
      });
      expect(await db().count(UserToken, { user: before })).toBe(tokens);
    }
    expect(t.smtp.countFor(verified)).toBe(3);
    expect(t.smtp.countFor(unverified)).toBe(3);
  });

  it.each([
    ['email', { email: 'not-an-email', password: PASSWORD }],
    ['password', { email: 'EMAIL', password: 'short' }],
    ['password', { email: 'EMAIL', password: 'x'.repeat(129) }],
    ['fullName', { email: 'EMAIL', password: PASSWORD, fullName: 'x'.repeat(201) }],
    ['phone', { email: 'EMAIL', password: PASSWORD, phone: 'call me' }],
    ['country', { email: 'EMAIL', password: PASSWORD, country: 'x'.repeat(101) }],
  ])('rejects a bad %s with BAD_USER_INPUT and creates nothing', async (field, input) => {
    const email = freshEmail();
    const res = await t.gql(REGISTER, { input: { ...input, email: input.email === 'EMAIL' ? email : input.email } });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await db().count(User, { email: { $in: [email, input.email] } })).toBe(0);
    expect(t.smtp.countFor(email)).toBe(0);
  });
});

describe('login and logout', () => {
  it('sets an httpOnly SameSite=Lax cookie and returns the same token for bearer use', async () => {
    const email = await registerVerified();
    const res = await t.gql(LOGIN, { email: ` ${email.toUpperCase()} `, password: PASSWORD });
    expect(res.errors).toBeUndefined();
    const { token, user, expiresAt } = res.data!.login;
    expect(user.email).toBe(email);
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeCloseTo(t.app.config.SESSION_TTL_DAYS, 1);

    const cookie = res.cookies.find((c) => c.startsWith('mailing_session='));
    expect(cookie).toBeDefined();
    expect(cookie).toContain(`mailing_session=${token};`);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Max-Age=\d+/);
    expect(cookie).not.toMatch(/; Secure/);

    const viaCookie = await t.gql(ME, {}, { cookie: cookie!.split(';')[0] });
    expect(viaCookie.data!.me.email).toBe(email);
    const viaBearer = await t.gql(ME, {}, token);
    expect(viaBearer.data!.me.email).toBe(email);
    expect(await db().count(Session, { user: { email } })).toBe(1);
  });

  it('answers an unknown email and a wrong password with the very same error', async () => {
    const email = await registerVerified();
    const wrongPassword = await t.gql(LOGIN, { email, password: 'not the password' });
    const unknownEmail = await t.gql(LOGIN, { email: freshEmail(), password: PASSWORD });
    expect(wrongPassword.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(wrongPassword.errors?.[0].message).toBe('Wrong email or password.');
    expect(unknownEmail.errors?.[0].message).toBe(wrongPassword.errors?.[0].message);
    expect(unknownEmail.errors?.[0].extensions).toEqual(wrongPassword.errors?.[0].extensions);
    expect(wrongPassword.cookies).toEqual([]);
    expect(await db().count(Session, { user: { email } })).toBe(0);
  });

  it('me is null for anonymous callers and bad tokens', async () => {
    expect((await t.gql(ME)).data).toEqual({ me: null });
    expect((await t.gql(ME, {}, 'made-up-token')).data).toEqual({ me: null });
  });

  it('logout ends the session and clears the cookie; the token stops working', async () => {
    const email = await registerVerified();
    const token = await login(email);
    const other = await login(email);

    const out = await t.gql(LOGOUT, {}, token);
    expect(out.data).toEqual({ logout: true });
    expect(out.cookies.find((c) => c.startsWith('mailing_session=;'))).toMatch(/Expires=Thu, 01 Jan 1970/);

    expect((await t.gql(ME, {}, token)).data).toEqual({ me: null });
    expect((await t.gql(PROTECTED, {}, token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(LOGOUT, {}, token)).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(ME, {}, other)).data!.me.email).toBe(email);
  });

  it('an expired session no longer authenticates', async () => {
    const email = await registerVerified();
    const token = await login(email);
    await db().nativeUpdate(Session, { user: { email } }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await t.gql(ME, {}, token)).data).toEqual({ me: null });
  });
});

describe('password reset', () => {
  it('mails a reset link; resetting sets the password and ends every old session', async () => {
    const { user, token: oldSession } = await t.createUser({ password: PASSWORD });
    const res = await t.gql(REQUEST_RESET, { email: user.email.toUpperCase() });
    expect(res.data).toEqual({ requestPasswordReset: true });
    const mail = await t.smtp.mailTo(user.email, { subject: 'Reset' });
    const token = tokenFromLink(mail, '/reset-password');

    const tooShort = await t.gql(RESET, { token, password: 'short' });
    expect(tooShort.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });

    expect((await t.gql(RESET, { token, password: 'a brand new secret' })).data).toEqual({ resetPassword: true });
    expect((await t.gql(ME, {}, oldSession)).data).toEqual({ me: null });
    expect((await t.gql(LOGIN, { email: user.email, password: PASSWORD })).errors?.[0].message).toBe('Wrong email or password.');
    expect((await t.gql(LOGIN, { email: user.email, password: 'a brand new secret' })).errors).toBeUndefined();

    const reused = await t.gql(RESET, { token, password: 'yet another secret' });
    expect(reused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect((await t.gql(LOGIN, { email: user.email, password: 'a brand new secret' })).errors).toBeUndefined();
  });

  it('answers true for an unknown email and stores nothing', async () => {
    const before = await db().count(UserToken, {});
    expect((await t.gql(REQUEST_RESET, { email: freshEmail() })).data).toEqual({ requestPasswordReset: true });
    expect(await db().count(UserToken, {})).toBe(before);
  });

  it('verifies the email of an unverified account (the mailbox owner proved it)', async () => {
    const email = freshEmail();
    await t.gql(REGISTER, { input: { email, password: PASSWORD } });
    await t.gql(REQUEST_RESET, { email });
    const token = tokenFromLink(await t.smtp.mailTo(email, { subject: 'Reset' }), '/reset-password');
    expect((await t.gql(RESET, { token, password: 'a brand new secret' })).errors).toBeUndefined();
    expect((await t.gql(LOGIN, { email, password: 'a brand new secret' })).errors).toBeUndefined();
  });

  it('refuses an expired reset token and keeps the old password', async () => {
    const { user } = await t.createUser({ password: PASSWORD });
    await t.gql(REQUEST_RESET, { email: user.email });
    const token = tokenFromLink(await t.smtp.mailTo(user.email, { subject: 'Reset' }), '/reset-password');
    await db().nativeUpdate(UserToken, { user: user.id }, { expiresAt: new Date(Date.now() - 1000) });
    const res = await t.gql(RESET, { token, password: 'a brand new secret' });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect((await t.gql(LOGIN, { email: user.email, password: PASSWORD })).errors).toBeUndefined();
  });
});

describe('own profile and password', () => {
  const UPDATE = `mutation($input: ProfileInput!) { updateProfile(input: $input) { fullName phone country avatarUrl email } }`;
  const CHANGE = `mutation($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) }`;

  it('updates only the given fields and clears the avatar with null', async () => {
    const me = await t.createUser();
    const res = await t.gql(UPDATE, { input: { fullName: ' New Name ', avatarUrl: 'https://img.example.test/a.png' } }, me);
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateProfile).toMatchObject({ fullName: 'New Name', avatarUrl: 'https://img.example.test/a.png', email: me.user.email });

    const cleared = await t.gql(UPDATE, { input: { avatarUrl: null, country: 'Chile' } }, me);
    expect(cleared.data!.updateProfile).toMatchObject({ fullName: 'New Name', avatarUrl: null, country: 'Chile' });
  });

  it.each([
    ['avatarUrl', { avatarUrl: 'javascript:alert(1)' }],
    ['avatarUrl', { avatarUrl: 'ftp://files.example.test/a.png' }],
    ['phone', { phone: 'x'.repeat(41) }],
    ['fullName', { fullName: 'x'.repeat(201) }],
  ])('rejects a bad %s with BAD_USER_INPUT and changes nothing', async (field, input) => {
    const me = await t.createUser();
    const res = await t.gql(UPDATE, { input: { country: 'Peru', ...input } }, me);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect((await t.gql(ME, {}, me)).data!.me).toMatchObject({ fullName: 'Test User', country: '', avatarUrl: null });
  });

  it('needs a login to edit a profile or change a password', async () => {
    expect((await t.gql(UPDATE, { input: { fullName: 'x' } })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(CHANGE, { current: PASSWORD, next: 'whatever123' })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('ends the reset links mailed before the password changed', async () => {
    const me = await t.createUser({ password: PASSWORD });
    await t.gql(REQUEST_RESET, { email: me.user.email });
    const token = tokenFromLink(await t.smtp.mailTo(me.user.email, { subject: 'Reset' }), '/reset-password');

    expect((await t.gql(CHANGE, { current: PASSWORD, next: 'a brand new secret' }, me)).data).toEqual({ changePassword: true });
    const reset = await t.gql(RESET, { token, password: 'the attacker chose this' });
    expect(reset.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token' });
    expect((await t.gql(LOGIN, { email: me.user.email, password: 'the attacker chose this' })).errors?.[0].extensions?.code).toBe(
      'UNAUTHENTICATED',
    );
    expect((await t.gql(LOGIN, { email: me.user.email, password: 'a brand new secret' })).errors).toBeUndefined();
  });

  it('changes the password given the current one and ends the other sessions', async () => {
    const email = await registerVerified();
    const current = await login(email);
    const other = await login(email);

    const wrong = await t.gql(CHANGE, { current: 'not the password', next: 'a brand new secret' }, current);
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'currentPassword' });
    const short = await t.gql(CHANGE, { current: PASSWORD, next: 'short' }, current);
    expect(short.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'newPassword' });
    expect((await t.gql(ME, {}, other)).data!.me.email).toBe(email);

    expect((await t.gql(CHANGE, { current: PASSWORD, next: 'a brand new secret' }, current)).data).toEqual({ changePassword: true });
    expect((await t.gql(ME, {}, current)).data!.me.email).toBe(email);
    expect((await t.gql(ME, {}, other)).data).toEqual({ me: null });
    expect((await t.gql(LOGIN, { email, password: PASSWORD })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect((await t.gql(LOGIN, { email, password: 'a brand new secret' })).errors).toBeUndefined();
  });
});
