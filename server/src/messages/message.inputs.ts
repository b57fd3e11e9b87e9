import { Length, Matches, MaxLength, MinLength } from 'class-validator';
import { Field, InputType } from 'type-graphql';

export const SUBJECT_MAX = 300;
export const BODY_MAX = 100_000;
const NOT_BLANK = /\S/;

@InputType()
export class MessageInput {
  @Field(() => String)
  @Length(1, SUBJECT_MAX, { message: `Subject is 1 to ${SUBJECT_MAX} characters.` })
  @Matches(NOT_BLANK, { message: 'Subject cannot be blank.' })
  subject!: string;

  @Field(() => String)
  @MinLength(1, { message: 'Body cannot be empty.' })
  @MaxLength(BODY_MAX, { message: `Body is at most ${BODY_MAX} characters.` })
  @Matches(NOT_BLANK, { message: 'Body cannot be blank.' })
  body!: string;
}

@InputType({ description: 'Only the fields given are changed.' })
export class MessageUpdateInput {
  @Field(() => String, { nullable: true })
  @Length(1, SUBJECT_MAX, { message: `Subject is 1 to ${SUBJECT_MAX} characters.` })
  @Matches(NOT_BLANK, { message: 'Subject cannot be blank.' })
  subject?: string;

  @Field(() => String, { nullable: true })
  @MinLength(1, { message: 'Body cannot be empty.' })
  @MaxLength(BODY_MAX, { message: `Body is at most ${BODY_MAX} characters.` })
  @Matches(NOT_BLANK, { message: 'Body cannot be blank.' })
  body?: string;
}
