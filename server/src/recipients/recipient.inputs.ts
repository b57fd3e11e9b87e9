import { Field, InputType } from 'type-graphql';
import { ValidateWith } from '../common/validation';
import { recipientRules } from '../rules';

@InputType()
@ValidateWith(recipientRules)
export class RecipientInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { defaultValue: '' })
  fullName: string = '';

  @Field(() => String, { defaultValue: '' })
  comment: string = '';
}

@InputType({ description: 'Only the fields given are changed.' })
@ValidateWith(recipientRules.partial())
export class RecipientUpdateInput {
  @Field(() => String, { nullable: true })
  email?: string;

  @Field(() => String, { nullable: true })
  fullName?: string;

  @Field(() => String, { nullable: true })
  comment?: string;
}
