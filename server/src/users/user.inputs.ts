import { ArgsType, Field, InputType } from 'type-graphql';
import { Role } from '../common/actor';
import { PageArgs } from '../common/pagination';
import { ValidateWith } from '../common/validation';
import { profileRules, registerRules, userCreateRules, userUpdateRules } from '../rules';

@InputType({ description: 'A new account; it works once its email is verified.' })
@ValidateWith(registerRules)
export class RegisterInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'At least 8 characters.' })
  password!: string;

  @Field(() => String, { defaultValue: '' })
  fullName: string = '';

  @Field(() => String, { defaultValue: '' })
  phone: string = '';

  @Field(() => String, { defaultValue: '' })
  country: string = '';
}

@InputType({ description: 'Your own profile; only the fields given are changed.' })
@ValidateWith(profileRules.partial())
export class ProfileInput {
  @Field(() => String, { nullable: true })
  fullName?: string;

  @Field(() => String, { nullable: true })
  phone?: string;

  @Field(() => String, { nullable: true })
  country?: string;

  @Field(() => String, { nullable: true, description: 'An http(s) URL; null or "" removes the avatar.' })
  avatarUrl?: string | null;
}

@ArgsType()
export class UserListArgs extends PageArgs {
  @Field(() => Role, { nullable: true, description: 'Only accounts with this role.' })
  role?: Role;

  @Field(() => Boolean, { nullable: true, description: 'Only blocked (true) or only active (false) accounts.' })
  blocked?: boolean;
}

@InputType({ description: 'An account created by an admin; its email counts as verified.' })
@ValidateWith(userCreateRules)
export class UserInput extends RegisterInput {
  @Field(() => Role, { defaultValue: Role.USER })
  role: Role = Role.USER;
}

@InputType({ description: 'Only the fields given are changed.' })
@ValidateWith(userUpdateRules.partial())
export class UserUpdateInput extends ProfileInput {
  @Field(() => String, { nullable: true })
  email?: string;

  @Field(() => Role, { nullable: true })
  role?: Role;
}
