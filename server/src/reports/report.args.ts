import { ArgsType, Field, ID } from 'type-graphql';
import { z } from 'zod';
import { PageArgs, pageRules } from '../common/pagination';
import { ValidateWith } from '../common/validation';
import { AttemptStatus } from '../sending/attempt.entity';
import { DeliveryStatus } from '../sending/delivery.entity';

/** Which attempts a report shows. */
export interface AttemptFilter {
  status?: AttemptStatus;
  from?: Date;
  to?: Date;
}

@ArgsType()
@ValidateWith(pageRules.extend({ mailingId: z.uuid('Not a valid mailing id.').optional() }))
export class MailingReportArgs extends PageArgs implements AttemptFilter {
  @Field(() => AttemptStatus, { nullable: true, description: 'Only attempts with this status.' })
  status?: AttemptStatus;

  @Field(() => Date, { nullable: true, description: 'Only attempts started at or after this time.' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Only attempts started at or before this time.' })
  to?: Date;

  @Field(() => ID, { nullable: true, description: 'Only this mailing.' })
  mailingId?: string;
}

@ArgsType()
@ValidateWith(pageRules.extend({ attemptId: z.uuid('Not a valid attempt id.') }))
export class AttemptDeliveriesArgs extends PageArgs {
  @Field(() => ID)
  attemptId!: string;

  @Field(() => DeliveryStatus, { nullable: true, description: 'Only deliveries with this status.' })
  status?: DeliveryStatus;
}

@ArgsType()
@ValidateWith(pageRules.extend({ userId: z.uuid('Not a valid user id.').optional() }))
export class UserStatsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this user (a user gets nothing for anyone but themselves).' })
  userId?: string;
}
