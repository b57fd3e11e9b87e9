import { IsNotEmpty, MaxLength } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import {
  PASSWORD_MAX_LENGTH,
  ValidAvatarUrl,
  ValidCountry,
  ValidEmail,
  ValidFullName,
  ValidPassword,
  ValidPhone,
} from '../users/user.validation';

@InputType({ description: 'A new account; it works once its email is verified.' })
export class RegisterInput {
  @Field(() => String)
  @ValidEmail()
  email!: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  @ValidPassword()
  password!: string;

  @Field(() => String, { defaultValue: '' })
  @ValidFullName()
  fullName: string = '';

  @Field(() => String, { defaultValue: '' })
  @ValidPhone()
  phone: string = '';

  @Field(() => String, { defaultValue: '' })
  @ValidCountry()
  country: string = '';
}

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

@InputType({ description: 'Your own profile; only the fields given are changed.' })
export class ProfileInput {
  @Field(() => String, { nullable: true })
  @ValidFullName()
  fullName?: string;

  @Field(() => String, { nullable: true })
  @ValidPhone()
  phone?: string;

  @Field(() => String, { nullable: true })
  @ValidCountry()
  country?: string;

  @Field(() => String, { nullable: true, description: 'An http(s) URL; null or "" removes the avatar.' })
  @ValidAvatarUrl()
  avatarUrl?: string | null;
}
