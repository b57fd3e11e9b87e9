import { z } from 'zod';
import { ArgsType, Field } from 'type-graphql';
import { ValidateWith } from '../common/validation';
import { changePasswordRules, EMAIL_MAX_LENGTH, emailRequestRules, PASSWORD_MAX_LENGTH, resetPasswordRules } from '../rules';

/** Only the lengths: any other email or password gets the same "wrong email or password" answer. */
const loginLimits = z.object({
  email: z.string().max(EMAIL_MAX_LENGTH, `Email is at most ${EMAIL_MAX_LENGTH} characters.`),
  password: z.string().max(PASSWORD_MAX_LENGTH, `Password is at most ${PASSWORD_MAX_LENGTH} characters.`),
});

@ArgsType()
@ValidateWith(loginLimits)
export class LoginArgs {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;
}

@ArgsType()
@ValidateWith(emailRequestRules)
export class EmailArgs {
  @Field(() => String)
  email!: string;
}

@ArgsType()
@ValidateWith(resetPasswordRules.pick({ token: true }))
export class TokenArgs {
  @Field(() => String, { description: 'The token from the link in the mail.' })
  token!: string;
}

@ArgsType()
@ValidateWith(resetPasswordRules)
export class ResetPasswordArgs extends TokenArgs {
  @Field(() => String, { description: 'The new password, at least 8 characters.' })
  password!: string;
}

@ArgsType()
@ValidateWith(changePasswordRules)
export class ChangePasswordArgs {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  newPassword!: string;
}
