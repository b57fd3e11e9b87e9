import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'The home page counts: your own for a user, everyone’s for managers and admins.' })
export class HomeFigures {
  @Field(() => Int)
  totalMailings!: number;

  @Field(() => Int, { description: 'Mailings with status RUNNING.' })
  activeMailings!: number;

  @Field(() => Int, { description: 'Distinct recipient email addresses.' })
  uniqueRecipients!: number;
}
