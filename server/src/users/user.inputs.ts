import { IsOptional } from 'class-validator';
import { ArgsType, Field, InputType } from 'type-graphql';
import { PageArgs } from '../common/pagination';
import { ProfileInput, RegisterInput } from '../auth/auth.inputs';
import { Role } from './user.entity';
import { ValidEmail } from './user.validation';

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
