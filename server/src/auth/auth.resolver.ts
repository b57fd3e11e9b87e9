import { Arg, Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { User } from '../users/user.entity';
import { AuthPayload } from './auth.payload';
import {
  ChangePasswordArgs,
  EmailArgs,
  LoginArgs,
  ProfileInput,
  RegisterInput,
  ResetPasswordArgs,
  TokenArgs,
} from './auth.inputs';
import { AuthService } from './auth.service';

@Resolver()
export class AuthResolver {
  @Query(() => User, { nullable: true, description: 'The logged-in user, or null for an anonymous caller.' })
  me(@Ctx() ctx: Context) {
    return new AuthService(ctx).me();
  }

  @Mutation(() => User, { description: 'Creates an account and mails a link to verify its email; log in after verifying.' })
  register(@Arg('input', () => RegisterInput) input: RegisterInput, @Ctx() ctx: Context) {
    return new AuthService(ctx).register(input);
  }

  @Mutation(() => User, { description: 'Confirms the email address with the token from the verification mail.' })
  verifyEmail(@Args(() => TokenArgs) { token }: TokenArgs, @Ctx() ctx: Context) {
    return new AuthService(ctx).verifyEmail(token);
  }

  @Mutation(() => Boolean, { description: 'Mails a new verification link to an unverified account; always true.' })
  resendVerification(@Args(() => EmailArgs) { email }: EmailArgs, @Ctx() ctx: Context) {
    return new AuthService(ctx).resendVerification(email);
  }

  @Mutation(() => AuthPayload, { description: 'Starts a session: sets an httpOnly cookie and returns a bearer token.' })
  login(@Args(() => LoginArgs) args: LoginArgs, @Ctx() ctx: Context) {
    return new AuthService(ctx).login(args);
  }

  @Mutation(() => Boolean, { description: 'Ends the current session and clears its cookie.' })
  logout(@Ctx() ctx: Context) {
    return new AuthService(ctx).logout();
  }

  @Mutation(() => Boolean, { description: 'Mails a password reset link if the account exists; always true.' })
  requestPasswordReset(@Args(() => EmailArgs) { email }: EmailArgs, @Ctx() ctx: Context) {
    return new AuthService(ctx).requestPasswordReset(email);
  }

  @Mutation(() => Boolean, { description: 'Sets a new password with the token from the reset mail and logs out every session.' })
  resetPassword(@Args(() => ResetPasswordArgs) args: ResetPasswordArgs, @Ctx() ctx: Context) {
    return new AuthService(ctx).resetPassword(args);
  }

  @Mutation(() => User, { description: 'Edits your own profile.' })
  updateProfile(@Arg('input', () => ProfileInput) input: ProfileInput, @Ctx() ctx: Context) {
    return new AuthService(ctx).updateProfile(input);
  }

  @Mutation(() => Boolean, { description: 'Changes your password and logs out your other sessions.' })
  changePassword(@Args(() => ChangePasswordArgs) args: ChangePasswordArgs, @Ctx() ctx: Context) {
    return new AuthService(ctx).changePassword(args);
  }
}
