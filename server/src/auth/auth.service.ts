import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import type { Actor } from '../common/actor';
import { AppError, badInput, forbidden, unauthenticated } from '../common/errors';
import { withConstraintErrors } from '../common/db-errors';
import { invalidateOwner } from '../cache/cache-invalidator';
import { normalizeEmail } from '../common/email';
import type { Logger } from '../common/logger';
import type { Mailer, OutgoingMail } from '../mail/mailer';
import { hashPassword, passwordMatches } from '../users/passwords';
import { Session } from '../users/session.entity';
import { User } from '../users/user.entity';
import type { ProfileInput, RegisterInput } from '../users/user.inputs';
import { applyProfile } from '../users/user.service';
import type { ChangePasswordArgs, LoginArgs, ResetPasswordArgs } from './auth.inputs';
import { passwordResetMail, registrationAttemptMail, verificationMail } from './mails';
import type { AuthLimits } from './auth-limits';
import { newToken } from './tokens';
import { UserTokenKind } from './user-token.entity';
import { consumeUserToken, endUserTokens, issueUserToken, recentlyIssued } from './user-tokens';

const WRONG_CREDENTIALS = 'Wrong email or password.';
/** At most one verification or reset mail per account and kind in this window. */
const MAIL_COOLDOWN_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const constraintMessages = {
  users_email_unique: { field: 'email', message: 'An account with this email already exists.' },
};

export interface AuthDeps {
  config: Config;
  mailer: Mailer;
  logger: Logger;
  authLimits: AuthLimits;
}

/** A login: the token to send back (as a cookie or a bearer token) and when it stops working. */
export interface NewSession {
  token: string;
  expiresAt: Date;
  user: User;
}

/** Accounts: sign-up, email verification, sessions, password reset, one's own profile. */
export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: AuthDeps,
  ) {}

  private get config() {
    return this.deps.config;
  }

  /**
   * Creates an unverified account and mails its verification link; nothing is kept if the mail
   * cannot be sent. An address that has an account gets the same answer (an account that is
   * never stored) and its owner a mail saying so, so the answer tells nobody which addresses
   * are registered, nor whether the password was right.
   */
  async register(input: RegisterInput, clientAddress: string): Promise<User> {
    const email = normalizeEmail(input.email);
    await this.deps.authLimits.take('accountMail', email, clientAddress);
    const fields = { email, fullName: input.fullName.trim(), phone: input.phone.trim(), country: input.country.trim() };
    const passwordHash = await hashPassword(input.password);
    if ((await this.em.count(User, { email })) > 0) return this.answerForTakenAddress(fields);
    try {
      return await this.em.transactional(async (em) => {
        const user = em.create(User, { ...fields, passwordHash });
        const ttlHours = this.config.VERIFY_TOKEN_TTL_HOURS;
        const token = issueUserToken(em, user, UserTokenKind.VERIFY_EMAIL, ttlHours * HOUR_MS);
        await withConstraintErrors(() => em.flush(), constraintMessages);
        await this.deps.mailer.send(verificationMail(this.config.APP_URL, email, token, ttlHours));
        return user;
      });
    } catch (error) {
      // Registered by a concurrent request in between.
      if (error instanceof AppError && error.code === 'CONFLICT') return this.answerForTakenAddress(fields);
      throw error;
    }
  }

  private async answerForTakenAddress(fields: Pick<User, 'email' | 'fullName' | 'phone' | 'country'>): Promise<User> {
    await this.deps.mailer.send(registrationAttemptMail(this.config.APP_URL, fields.email));
    return this.em.create(User, { ...fields, passwordHash: '' }, { persist: false });
  }

  async verifyEmail(token: string): Promise<User> {
    const user = await consumeUserToken(this.em, token, UserTokenKind.VERIFY_EMAIL);
    if (!user) throw badInput('token', 'This verification link is invalid, expired or already used. Ask for a new one.');
    user.emailVerifiedAt ??= new Date();
    await this.em.flush();
    return user;
  }

  /** Mails a fresh verification link to an unverified account; answers the same whether it exists or not. */
  async resendVerification(email: string, clientAddress: string): Promise<boolean> {
    await this.deps.authLimits.take('accountMail', normalizeEmail(email), clientAddress);
    const user = await this.em.findOne(User, { email: normalizeEmail(email) });
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
   * Every attempt counts against the account's and the address's limits, the right
   * password too; a login that starts a session clears the account's count.
   */
  async login({ email, password }: LoginArgs, clientAddress: string): Promise<NewSession> {
    const normalized = normalizeEmail(email);
    await this.deps.authLimits.take('login', normalized, clientAddress);
    const user = await this.em.findOne(User, { email: normalized }, { populate: ['passwordHash'] });
    const matches = await passwordMatches(user?.passwordHash, password);
    if (!user || !matches) throw unauthenticated(WRONG_CREDENTIALS);
    if (user.blocked) throw forbidden('Account blocked: contact an administrator.');
    if (!user.emailVerifiedAt) {
      throw unauthenticated('Verify your email address first: open the link we mailed you, or ask for a new one.');
    }
    const session = await this.startSession(user);
    await this.deps.authLimits.loggedIn(normalized, clientAddress);
    return session;
  }

  async logout(actor: Actor | undefined, sessionId: string | undefined): Promise<boolean> {
    if (!actor || !sessionId) return true;
    await this.em.nativeDelete(Session, { id: sessionId });
    // The session is in the account's cached reads (auth/current-user.ts); every other end of sessions comes with a change of the user.
    await invalidateOwner(this.em, actor.id);
    return true;
  }

  /** Mails a reset link when the account exists; always answers true so nobody learns which emails are registered. */
  async requestPasswordReset(email: string, clientAddress: string): Promise<boolean> {
    await this.deps.authLimits.take('accountMail', normalizeEmail(email), clientAddress);
    const user = await this.em.findOne(User, { email: normalizeEmail(email) });
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
    await this.em.transactional(async (em) => {
      const user = await consumeUserToken(em, token, UserTokenKind.RESET_PASSWORD);
      if (!user) throw badInput('token', 'This reset link is invalid, expired or already used. Ask for a new one.');
      user.passwordHash = passwordHash;
      user.emailVerifiedAt ??= new Date();
      await em.flush();
      await em.nativeDelete(Session, { user });
    });
    return true;
  }

  /** The signed-in user's account, or null for an anonymous caller. */
  async me(actor: Actor | undefined): Promise<User | null> {
    return actor ? this.em.findOne(User, actor.id) : null;
  }

  async updateProfile(actor: Actor, input: ProfileInput): Promise<User> {
    const user = await this.em.findOneOrFail(User, actor.id);
    applyProfile(user, input);
    await this.em.flush();
    return user;
  }

  /** Changes one's password, ends one's other sessions (all but `currentSessionId`) and the reset links mailed so far. */
  async changePassword(
    actor: Actor,
    currentSessionId: string | undefined,
    { currentPassword, newPassword }: ChangePasswordArgs,
  ): Promise<boolean> {
    const user = await this.em.findOneOrFail(User, actor.id, { populate: ['passwordHash'] });
    if (!(await passwordMatches(user.passwordHash, currentPassword))) {
      throw badInput('currentPassword', 'Current password is wrong.');
    }
    const passwordHash = await hashPassword(newPassword);
    await this.em.transactional(async (em) => {
      user.passwordHash = passwordHash;
      await em.flush();
      await em.nativeDelete(Session, currentSessionId ? { user, id: { $ne: currentSessionId } } : { user });
      await endUserTokens(em, user, UserTokenKind.RESET_PASSWORD);
    });
    return true;
  }

  private async startSession(user: User): Promise<NewSession> {
    const { token, hash } = newToken();
    const expiresAt = new Date(Date.now() + this.config.SESSION_TTL_DAYS * DAY_MS);
    await this.em.nativeDelete(Session, { user, expiresAt: { $lte: new Date() } });
    this.em.create(Session, { tokenHash: hash, user, expiresAt });
    await this.em.flush();
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
    if (await recentlyIssued(this.em, user, kind, MAIL_COOLDOWN_MS)) return;
    const token = issueUserToken(this.em, user, kind, ttlMs);
    await this.em.flush();
    const { logger, mailer } = this.deps;
    // The entity manager's logger context carries the request id, when there is a request.
    const { requestId } = this.em.getLoggerContext<{ requestId?: string }>();
    mailer.send(compose(token)).catch((err: unknown) => {
      logger.error({ err, requestId, kind }, 'could not send an account mail');
    });
  }
}
