import { IsOptional } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { PageArgs } from '../common/pagination';
import { Role } from '../common/actor';
import { ValidAvatarUrl, ValidCountry, ValidEmail, ValidFullName, ValidPassword, ValidPhone } from './user.validation';

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

@ArgsType()
export class UserListArgs extends PageArgs {
  @Field(() => Role, { nullable: true, description: 'Only accounts with this role.' })
  @IsOptional()
  role?: Role;

  @Field(() => Boolean, { nullable: true, description: 'Only blocked (true) or only active (false) accounts.' })
  @IsOptional()
  blocked?: boolean;
}

@InputType({ description: 'An account created by an admin; its email counts as verified.' })
export class UserInput extends RegisterInput {
  @Field(() => Role, { defaultValue: Role.USER })
  role: Role = Role.USER;
}

@InputType({ description: 'Only the fields given are changed.' })
export class UserUpdateInput extends ProfileInput {
  @Field(() => String, { nullable: true })
  @ValidEmail()
  email?: string;

  @Field(() => Role, { nullable: true })
  role?: Role;
}
