import { ArgsType, Field, InputType } from 'type-graphql';
import { PageArgs } from '../common/pagination';
import { ValidateWith } from '../common/validation';
import { recipientRules } from '../rules';

@ArgsType()
export class RecipientListArgs extends PageArgs {
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only recipients who unsubscribed; false: only those who did not; absent: everyone.',
  })
  unsubscribed?: boolean;
}

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
