import { Field, ID, Int, ObjectType } from 'type-graphql';
import { AttemptStatus } from './attempt.entity';

/** GraphQL keeps its first name, RunProgress (the API is the contract). */
@ObjectType('RunProgress', { description: 'Live counts of one run of a mailing: poll it while the run is PREPARING or RUNNING.' })
export class AttemptProgress {
  @Field(() => ID)
  attemptId!: string;

  @Field(() => ID)
  mailingId!: string;

  @Field(() => AttemptStatus)
  status!: AttemptStatus;

  @Field(() => Date)
  attemptedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Int)
  total!: number;

  @Field(() => Int, { description: 'Waiting to be sent, retries included; not yet taken by a worker.' })
  pending!: number;

  @Field(() => Int, {
    description: 'Taken by a worker and not finished: inFlight + claimed.',
    deprecationReason: 'Counts what is in flight and what is only claimed together: read inFlight and claimed.',
  })
  sending!: number;

  @Field(() => Int, { description: 'Handed to the mail server (or marked so just before it goes), no answer recorded yet.' })
  inFlight!: number;

  @Field(() => Int, { description: 'Taken by a worker to be sent next, not yet handed to the mail server.' })
  claimed!: number;

  @Field(() => Int)
  sent!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int, { description: 'The connection was lost after hand-over: may or may not have arrived.' })
  uncertain!: number;

  @Field(() => Int, { description: 'Not sent: the recipient unsubscribed or was deleted while the run was open.' })
  skipped!: number;
}
