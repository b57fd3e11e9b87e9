import { IsEmail, MaxLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

@InputType()
export class RecipientInput {
  @Field(() => String)
  @IsEmail({}, { message: 'Enter a valid email address.' })
  @MaxLength(320)
  email!: string;

  @Field(() => String, { defaultValue: '' })
  @MaxLength(200, { message: 'Full name is at most 200 characters.' })
  fullName: string = '';

  @Field(() => String, { defaultValue: '' })
  @MaxLength(2000, { message: 'Comment is at most 2000 characters.' })
  comment: string = '';
}

@InputType({ description: 'Only the fields given are changed.' })
export class RecipientUpdateInput {
  @Field(() => String, { nullable: true })
  @IsEmail({}, { message: 'Enter a valid email address.' })
  @MaxLength(320)
  email?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(200, { message: 'Full name is at most 200 characters.' })
  fullName?: string;

  @Field(() => String, { nullable: true })
  @MaxLength(2000, { message: 'Comment is at most 2000 characters.' })
  comment?: string;
}
