import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { Attempt } from './attempt.entity';
import { AttemptProgress } from './attempt-progress.type';
import { SendingService } from './sending.service';

@Resolver()
export class SendingResolver {
  @Mutation(() => Attempt, {
    description:
      'Sends your mailing now: opens a run to every recipient who has not received it yet. CONFLICT while it is disabled, already sending, finished or past its end.',
  })
  sendMailingNow(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new SendingService(ctx).sendNow(id);
  }

  @Mutation(() => Attempt, {
    description:
      'Sends again to the recipients whose delivery failed in this attempt (and who have not received the mailing since), as a new run. CONFLICT when none is left or the mailing may not send now.',
  })
  retryFailedDeliveries(@Arg('attemptId', () => ID) attemptId: string, @Ctx() ctx: Context) {
    return new SendingService(ctx).retryFailed(attemptId);
  }

  @Query(() => AttemptProgress, { description: 'Live counts of a run (an Attempt).' })
  attemptProgress(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new SendingService(ctx).attemptProgress(id);
  }

  @Query(() => AttemptProgress, { nullable: true, description: 'Live counts of the latest run of a mailing; null before its first run.' })
  mailingProgress(@Arg('mailingId', () => ID) mailingId: string, @Ctx() ctx: Context) {
    return new SendingService(ctx).mailingProgress(mailingId);
  }
}
