import { ArgsType, Field, ID, InputType, Int } from 'type-graphql';
import { z } from 'zod';
import { PAGE_LIMIT_MAX, PageArgs, WindowArgs } from '../common/pagination';
import { ValidateWith } from '../common/validation';
import { mailingCreateRules, messageIdRule, recipientIdsRule } from '../rules';
import { MailingStatus } from './mailing.entity';

/** What an update may carry; the service checks the new window against the stored one. */
const mailingUpdateRules = z
  .object({ startAt: z.date(), endAt: z.date(), messageId: messageIdRule, recipientIds: recipientIdsRule, allRecipients: z.boolean() })
  .partial();

@InputType()
@ValidateWith(mailingCreateRules)
export class MailingInput {
  @Field(() => Date, { description: 'When sending starts; a time in the past means now.' })
  startAt!: Date;

  @Field(() => Date, { description: 'When the mailing ends: after startAt and in the future.' })
  endAt!: Date;

  @Field(() => ID)
  messageId!: string;

  @Field(() => [ID], {
    defaultValue: [],
    description: 'Ids of your recipients; duplicates are ignored. Required (at least one) unless allRecipients is true, and then empty.',
  })
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
@ValidateWith(mailingUpdateRules)
export class MailingUpdateInput {
  @Field(() => Date, { nullable: true })
  startAt?: Date;

  @Field(() => Date, { nullable: true })
  endAt?: Date;

  @Field(() => ID, { nullable: true })
  messageId?: string;

  @Field(() => [ID], { nullable: true })
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

/**
 * The deprecated `Mailing.recipients`: bounded like every list, but by default a whole page
 * long, so clients written when it had no arguments still get small mailings whole.
 */
@ArgsType()
export class MailingRecipientsArgs extends WindowArgs {
  @Field(() => Int, { defaultValue: PAGE_LIMIT_MAX, description: `1 to ${PAGE_LIMIT_MAX}.` })
  override limit: number = PAGE_LIMIT_MAX;
}
