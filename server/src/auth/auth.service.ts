import type { Context } from '../context';
import { actor } from '../context';
import { badInput, conflict, forbidden, unauthenticated } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import type { OutgoingMail } from '../mail/mailer';
import { User } from '../users/user.entity';
import { normalizeEmail } from '../users/user.validation';
import type { AuthPayload } from './auth.payload';
import type { ChangePasswordArgs, LoginArgs, ProfileInput, RegisterInput, ResetPasswordArgs } from './auth.inputs';
import { passwordResetMail, verificationMail } from './mails';
import { hashPassword, passwordMatches } from './passwords';
import { clearSessionCookie, setSessionCookie } from './session-cookie';
import { Session } from './session.entity';
import { newToken } from './tokens';
import { UserTokenKind } from './user-token.entity';
import { consumeUserToken, issueUserToken, recentlyIssued } from './user-tokens';

export const WRONG_CREDENTIALS = 'Wrong email or password.';
/** At most one verification or reset mail per account and kind in this window. */
const MAIL_COOLDOWN_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const constraintMessages = {
  users_email_unique: { field: 'email', message: 'An account with this email already exists. Log in or reset your password.' },
};

/** Accounts: sign-up, email verification, sessions, password reset, one's own profile. */
export class AuthService {
  constructor(private readonly ctx: Context) {}

  private get config() {
    return this.ctx.app.config;
  }

  /** Creates an unverified account and mails its verification link; nothing is kept if the mail cannot be sent. */
  async register(input: RegisterInput): Promise<User> {
    const email = normalizeEmail(input.email);
    if ((await this.ctx.em.count(User, { email })) > 0) {
      throw conflict(constraintMessages.users_email_unique.message, 'email');
    }
    const passwordHash = await hashPassword(input.password);
    return this.ctx.em.transactional(async (em) => {
      const user = em.create(User, {
        email,
        passwordHash,
        fullName: input.fullName.trim(),
        phone: input.phone.trim(),
        country: input.country.trim(),
      });
      const ttlHours = this.config.VERIFY_TOKEN_TTL_HOURS;
      const token = issueUserToken(em, user, UserTokenKind.VERIFY_EMAIL, ttlHours * HOUR_MS);
      await withConstraintErrors(() => em.flush(), constraintMessages);
      await this.ctx.app.mailer.send(verificationMail(this.config.APP_URL, email, token, ttlHours));
      return user;
    });
  }

  async verifyEmail(token: string): Promise<User> {
    const user = await consumeUserToken(this.ctx.em, token, UserTokenKind.VERIFY_EMAIL);
    if (!user) throw badInput('token', 'This verification link is invalid, expired or already used. Ask for a new one.');
    user.emailVerifiedAt ??= new Date();
    await this.ctx.em.flush();
    return user;
  }

  /** Mails a fresh verification link to an unverified account; answers the same whether it exists or not. */
  async resendVerification(email: string): Promise<boolean> {
    const user = await this.ctx.em.findOne(User, { email: normalizeEmail(email) });
    if (user && !user.emailVerifiedAt && !user.blocked) {
      const ttlHours = this.config.VERIFY_TOKEN_TTL_HOURS;
      await this.mailOneTimeLink(user, UserTokenKind.VERIFY_EMAIL, ttlHours * HOUR_MS, (token) =>
        verificationMail(this.config.APP_URL, user.email, token, ttlHours),
      );
    }
    return true;
  }

  /**
   * Unknown email and wrong password get the same answer in about the same time;
   * only someone who knows the password learns that the account is blocked or unverified.
   */
  async login({ email, password }: LoginArgs): Promise<AuthPayload> {
    const user = await this.ctx.em.findOne(User, { email: normalizeEmail(email) }, { populate: ['passwordHash'] });
    const matches = await passwordMatches(user?.passwordHash, password);
    if (!user || !matches) throw unauthenticated(WRONG_CREDENTIALS);
    if (user.blocked) throw forbidden('Account blocked: contact an administrator.');
    if (!user.emailVerifiedAt) {
      throw unauthenticated('Verify your email address first: open the link we mailed you, or ask for a new one.');
    }
    return this.startSession(user);
  }

  async logout(): Promise<boolean> {
    if (this.ctx.session) await this.ctx.em.nativeDelete(Session, { id: this.ctx.session.id });
    clearSessionCookie(this.ctx);
    return true;
  }

  /** Mails a reset link when the account exists; always answers true so nobody learns which emails are registered. */
  async requestPasswordReset(email: string): Promise<boolean> {
    const user = await this.ctx.em.findOne(User, { email: normalizeEmail(email) });
    if (user) {
      const ttlMinutes = this.config.RESET_TOKEN_TTL_MINUTES;
      await this.mailOneTimeLink(user, UserTokenKind.RESET_PASSWORD, ttlMinutes * 60_000, (token) =>
        passwordResetMail(this.config.APP_URL, user.email, token, ttlMinutes),
      );
    }
    return true;
  }

  /** Sets the new password, confirms the mailbox, and ends every session of the account. */
  async resetPassword({ token, password }: ResetPasswordArgs): Promise<boolean> {
    const passwordHash = await hashPassword(password);
    await this.ctx.em.transactional(async (em) => {
      const user = await consumeUserToken(em, token, UserTokenKind.RESET_PASSWORD);
      if (!user) throw badInput('token', 'This reset link is invalid, expired or already used. Ask for a new one.');
      user.passwordHash = passwordHash;
      user.emailVerifiedAt ??= new Date();
      await em.flush();
      await em.nativeDelete(Session, { user });
    });
    return true;
  }

  me(): User | null {
    return this.ctx.user ?? null;
  }

  async updateProfile(input: ProfileInput): Promise<User> {
    const user = actor(this.ctx);
    if (input.fullName != null) user.fullName = input.fullName.trim();
    if (input.phone != null) user.phone = input.phone.trim();
    if (input.country != null) user.country = input.country.trim();
    if (input.avatarUrl !== undefined) user.avatarUrl = input.avatarUrl?.trim() || null;
    await this.ctx.em.flush();
    return user;
  }

  /** Changes one's password and ends one's other sessions. */
  async changePassword({ currentPassword, newPassword }: ChangePasswordArgs): Promise<boolean> {
    const user = actor(this.ctx);
    await this.ctx.em.populate(user, ['passwordHash']);
    if (!(await passwordMatches(user.passwordHash, currentPassword))) {
      throw badInput('currentPassword', 'Current password is wrong.');
    }
    user.passwordHash = await hashPassword(newPassword);
    await this.ctx.em.flush();
    const current = this.ctx.session?.id;
    await this.ctx.em.nativeDelete(Session, current ? { user, id: { $ne: current } } : { user });
    return true;
  }

  private async startSession(user: User): Promise<AuthPayload> {
    const { token, hash } = newToken();
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_DAYS * DAY_MS);
    await this.ctx.em.nativeDelete(Session, { user, expiresAt: { $lte: new Date() } });
    this.ctx.em.create(Session, { tokenHash: hash, user, expiresAt });
    await this.ctx.em.flush();
    setSessionCookie(this.ctx, token, expiresAt);
    return { token, expiresAt, user };
  }

  /**
   * Stores a one-time token and mails its link in the background, so the answer
   * does not take longer when the account exists. Skipped while a recent link is unused.
   */
  private async mailOneTimeLink(
    user: User,
    kind: UserTokenKind,
    ttlMs: number,
    compose: (token: string) => OutgoingMail,
  ): Promise<void> {
    if (await recentlyIssued(this.ctx.em, user, kind, MAIL_COOLDOWN_MS)) return;
    const token = issueUserToken(this.ctx.em, user, kind, ttlMs);
    await this.ctx.em.flush();
    const { logger, mailer } = this.ctx.app;
    mailer.send(compose(token)).catch((err: unknown) => {
      logger.error({ err, requestId: this.ctx.requestId, kind }, 'could not send an account mail');
    });
  }
}
