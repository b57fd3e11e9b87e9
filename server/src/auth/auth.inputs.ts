import { IsNotEmpty, MaxLength } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';
import { PASSWORD_MAX_LENGTH, ValidEmail, ValidPassword } from '../users/user.validation';

@ArgsType()
export class LoginArgs {
  @Field(() => String)
  @MaxLength(320, { message: 'Email is at most 320 characters.' })
  email!: string;

  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `Password is at most ${PASSWORD_MAX_LENGTH} characters.` })
  password!: string;
}

@ArgsType()
export class EmailArgs {
  @Field(() => String)
  @ValidEmail()
  email!: string;
}

@ArgsType()
export class TokenArgs {
  @Field(() => String, { description: 'The token from the link in the mail.' })
  @IsNotEmpty({ message: 'The link has no token.' })
  @MaxLength(200, { message: 'This link is not valid.' })
  token!: string;
}

@ArgsType()
export class ResetPasswordArgs extends TokenArgs {
  @Field(() => String, { description: 'The new password, at least 8 characters.' })
  @ValidPassword()
  password!: string;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field(() => String)
  @MaxLength(PASSWORD_MAX_LENGTH, { message: 'Current password is wrong.' })
  currentPassword!: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  @ValidPassword()
  newPassword!: string;
}
