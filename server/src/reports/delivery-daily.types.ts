import { ArgsType, Field, Int, ObjectType } from 'type-graphql';

/** The longest range deliveryDaily answers, in calendar days. */
export const MAX_DAILY_RANGE_DAYS = 366;

@ArgsType()
export class DeliveryDailyArgs {
  @Field(() => Date, { description: 'Start of the range (inclusive).' })
  from!: Date;

  @Field(() => Date, { description: `End of the range (inclusive); at most ${MAX_DAILY_RANGE_DAYS} calendar days after from.` })
  to!: Date;

  @Field(() => String, { defaultValue: 'UTC', description: 'The IANA time zone whose calendar days are counted, e.g. Europe/Berlin.' })
  timeZone: string = 'UTC';
}

@ObjectType({ description: 'Messages that ended on one calendar day, by how they ended.' })
export class DailyDeliveries {
  @Field(() => String, { description: 'The day in the asked time zone, YYYY-MM-DD.' })
  day!: string;

  @Field(() => Int, { description: 'Accepted by the mail server.' })
  sent!: number;

  @Field(() => Int, { description: 'Could not be delivered.' })
  failed!: number;

  @Field(() => Int, { description: 'The connection was lost after hand-over: may or may not have arrived.' })
  uncertain!: number;
}
