import { IsEnum, IsOptional, IsUUID } from 'class-validator';
import { ArgsType, Field, ID } from 'type-graphql';
import { PageArgs } from '../common/pagination';
import { AttemptStatus } from '../sending/attempt.entity';
import { DeliveryStatus } from '../sending/delivery.entity';

/** Which attempts a report shows. */
export interface AttemptFilter {
  status?: AttemptStatus;
  from?: Date;
  to?: Date;
}

@ArgsType()
export class MailingReportArgs extends PageArgs implements AttemptFilter {
  @Field(() => AttemptStatus, { nullable: true, description: 'Only attempts with this status.' })
  @IsOptional()
  @IsEnum(AttemptStatus)
  status?: AttemptStatus;

  @Field(() => Date, { nullable: true, description: 'Only attempts started at or after this time.' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Only attempts started at or before this time.' })
  to?: Date;

  @Field(() => ID, { nullable: true, description: 'Only this mailing.' })
  @IsOptional()
  @IsUUID('all', { message: 'Not a valid mailing id.' })
  mailingId?: string;
}

@ArgsType()
export class AttemptDeliveriesArgs extends PageArgs {
  @Field(() => ID)
  @IsUUID('all', { message: 'Not a valid attempt id.' })
  attemptId!: string;

  @Field(() => DeliveryStatus, { nullable: true, description: 'Only deliveries with this status.' })
  @IsOptional()
  @IsEnum(DeliveryStatus)
  status?: DeliveryStatus;
}

@ArgsType()
export class UserStatsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'Only this user (a user gets nothing for anyone but themselves).' })
  @IsOptional()
  @IsUUID('all', { message: 'Not a valid user id.' })
  userId?: string;
}
