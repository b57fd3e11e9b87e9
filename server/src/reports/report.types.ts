import { Field, Int, ObjectType } from 'type-graphql';
import { PageType } from '../common/pagination';
import { Mailing } from '../mailings/mailing.entity';
import { Attempt } from '../sending/attempt.entity';
import { Delivery } from '../sending/delivery.entity';
import { User } from '../users/user.entity';
import type { AttemptFilter } from './report.args';

@ObjectType({ description: 'A mailing that has been carried out, with the attempts that match the filter.' })
export class MailingReport {
  @Field(() => Mailing)
  mailing!: Mailing;

  @Field(() => String, { description: "The subject of the mailing's message." })
  subject!: string;

  @Field(() => String, { description: "The owner's email (useful to managers and admins)." })
  ownerEmail!: string;

  @Field(() => Date, { description: 'When the newest matching attempt started.' })
  lastAttemptAt!: Date;

  /** The status and date filter its attempts are read with. */
  filter!: AttemptFilter;
}

@ObjectType({ description: 'What one user has sent.' })
export class UserStats {
  @Field(() => User)
  user!: User;

  @Field(() => Int, { description: 'Attempts that ended with status SUCCESS.' })
  successfulAttempts!: number;

  @Field(() => Int, { description: 'Attempts that ended with status FAILURE.' })
  failedAttempts!: number;

  @Field(() => Int, { description: 'Messages the mail server accepted (deliveries SENT).' })
  messagesSent!: number;

  @Field(() => Int, { description: 'Messages that could not be delivered (deliveries FAILED).' })
  messagesFailed!: number;
}

export const MailingReportPage = PageType(MailingReport);
export const DeliveryPage = PageType(Delivery);
export const AttemptPage = PageType(Attempt);
export const UserStatsPage = PageType(UserStats);
