import { Field, InputType } from 'type-graphql';
import { ValidateWith } from '../common/validation';
import { messageRules } from '../rules';
import { MessageFormat } from './message.entity';

/** Who a message is from: optional in both inputs, each falling back to the owner or the server. */
@InputType()
abstract class MessageSenderFields {
  @Field(() => String, { nullable: true, description: "Empty: the owner's full name." })
  fromName?: string;

  @Field(() => String, { nullable: true, description: "Empty: the server's address. Else an address in a domain of messageSender.allowedDomains." })
  fromAddress?: string;

  @Field(() => String, { nullable: true, description: "Empty: the owner's email." })
  replyTo?: string;
}

@InputType()
@ValidateWith(messageRules)
export class MessageInput extends MessageSenderFields {
  @Field(() => String)
  subject!: string;

  @Field(() => String)
  body!: string;

  @Field(() => MessageFormat, { defaultValue: MessageFormat.TEXT })
  format!: MessageFormat;
}

@InputType({ description: 'Only the fields given are changed.' })
@ValidateWith(messageRules.partial())
export class MessageUpdateInput extends MessageSenderFields {
  @Field(() => String, { nullable: true })
  subject?: string;

  @Field(() => String, { nullable: true })
  body?: string;

  @Field(() => MessageFormat, { nullable: true })
  format?: MessageFormat;
}
