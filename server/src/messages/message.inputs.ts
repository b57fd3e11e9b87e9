import { Field, InputType } from 'type-graphql';
import { ValidateWith } from '../common/validation';
import { messageRules } from '../rules';

@InputType()
@ValidateWith(messageRules)
export class MessageInput {
  @Field(() => String)
  subject!: string;

  @Field(() => String)
  body!: string;
}

@InputType({ description: 'Only the fields given are changed.' })
@ValidateWith(messageRules.partial())
export class MessageUpdateInput {
  @Field(() => String, { nullable: true })
  subject?: string;

  @Field(() => String, { nullable: true })
  body?: string;
}
