import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type RequestContext } from '../common/request-context';
import { User } from '../users/user.entity';
import { ProfileInput, RegisterInput } from '../users/user.inputs';
import { AuthPayload } from './auth.payload';
import { ChangePasswordArgs, EmailArgs, LoginArgs, ResetPasswordArgs, TokenArgs } from './auth.inputs';
import { AuthService, type AuthDeps } from './auth.service';
import { clearSessionCookie, setSessionCookie } from './session-cookie';

@Resolver()
export class AuthResolver {
  constructor(private readonly deps: AuthDeps) {}

  @Query(() => User, { nullable: true, description: 'The logged-in user, or null for an anonymous caller.' })
  me(@Ctx() ctx: RequestContext) {
    return this.service(ctx).me(ctx.actor);
  }

  @Mutation(() => User, { description: 'Creates an account and mails a link to verify its email; log in after verifying.' })
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: RequestContext) {
    return this.service(ctx).register(input, ctx.clientAddress);
  }

  @Mutation(() => User, { description: 'Confirms the email address with the token from the verification mail.' })
  verifyEmail(@Args(() => TokenArgs) { token }: TokenArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).verifyEmail(token);
  }

  @Mutation(() => Boolean, { description: 'Mails a new verification link to an unverified account; always true.' })
  resendVerification(@Args(() => EmailArgs) { email }: EmailArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).resendVerification(email, ctx.clientAddress);
  }

  @Mutation(() => AuthPayload, { description: 'Starts a session: sets an httpOnly cookie and returns a bearer token.' })
  async login(@Args(() => LoginArgs) args: LoginArgs, @Ctx() ctx: RequestContext) {
    const session = await this.service(ctx).login(args, ctx.clientAddress);
    setSessionCookie(ctx.res, this.deps.config, session.token, session.expiresAt);
    return session;
  }

  @Mutation(() => Boolean, { description: 'Ends the current session and clears its cookie.' })
  async logout(@Ctx() ctx: RequestContext) {
    await this.service(ctx).logout(ctx.actor, ctx.sessionId);
    clearSessionCookie(ctx.res, this.deps.config);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Mails a password reset link if the account exists; always true.' })
  requestPasswordReset(@Args(() => EmailArgs) { email }: EmailArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).requestPasswordReset(email, ctx.clientAddress);
  }

  @Mutation(() => Boolean, { description: 'Sets a new password with the token from the reset mail and logs out every session.' })
  resetPassword(@Args(() => ResetPasswordArgs) args: ResetPasswordArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).resetPassword(args);
  }

  @Mutation(() => User, { description: 'Edits your own profile.' })
  updateProfile(@Arg('input', () => ProfileInput) input: ProfileInput, @Ctx() ctx: RequestContext) {
    return this.service(ctx).updateProfile(actorOf(ctx), input);
  }

  @Mutation(() => Boolean, { description: 'Changes your password and logs out your other sessions.' })
  changePassword(@Args(() => ChangePasswordArgs) args: ChangePasswordArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).changePassword(actorOf(ctx), ctx.sessionId, args);
  }

  private service(ctx: RequestContext) {
    return new AuthService(ctx.em, this.deps);
  }
}
