import { ArrayMaxSize, ArrayMinSize, IsUUID, ValidateIf } from 'class-validator';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { PageArgs } from '../common/pagination';
import { MailingStatus } from './mailing.entity';

/** What one request can carry: 50,000 ids fit the 2 MB JSON body limit. */
export const MAX_RECIPIENTS = 50_000;

/** The rules of a recipient id list, shared by create and update. */
function validRecipientIds(): PropertyDecorator {
  return (target, property) => {
    ArrayMinSize(1, { message: 'Pick at least one recipient.' })(target, property);
    ArrayMaxSize(MAX_RECIPIENTS, { message: `A mailing has at most ${MAX_RECIPIENTS} recipients.` })(target, property);
    IsUUID('all', { each: true, message: 'Every recipient id must be the id of one of your recipients.' })(target, property);
  };
}

const validMessageId = () => IsUUID('all', { message: 'Pick one of your messages.' });

@InputType()
export class MailingInput {
  @Field(() => Date, { description: 'When sending starts; a time in the past means now.' })
  startAt!: Date;

  @Field(() => Date, { description: 'When the mailing ends: after startAt and in the future.' })
  endAt!: Date;

  @Field(() => ID)
  @validMessageId()
  messageId!: string;

  @Field(() => [ID], {
    defaultValue: [],
    description: 'Ids of your recipients; duplicates are ignored. Required (at least one) unless allRecipients is true, and then empty.',
  })
  @ValidateIf((input: MailingInput) => !input.allRecipients)
  @validRecipientIds()
  recipientIds!: string[];

  @Field(() => Boolean, {
    defaultValue: false,
    description:
      'True: the mailing goes to every recipient you have at this moment (recipients added later are not included); recipientIds must then be empty.',
  })
  allRecipients: boolean = false;
}

@InputType({
  description: 'Only the fields given are changed; recipientIds (or allRecipients: true) replaces the whole set of recipients.',
})
export class MailingUpdateInput {
  @Field(() => Date, { nullable: true })
  startAt?: Date;

  @Field(() => Date, { nullable: true })
  endAt?: Date;

  @Field(() => ID, { nullable: true })
  @validMessageId()
  messageId?: string;

  @Field(() => [ID], { nullable: true })
  @validRecipientIds()
  recipientIds?: string[];

  @Field(() => Boolean, {
    nullable: true,
    description:
      'True: the recipients become every recipient you have at this moment (not together with recipientIds). Editable where recipientIds is.',
  })
  allRecipients?: boolean;
}

@ArgsType()
export class MailingPageArgs extends PageArgs {
  @Field(() => MailingStatus, { nullable: true, description: 'Only mailings in this status.' })
  status?: MailingStatus;
}
