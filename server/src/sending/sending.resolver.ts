import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type RequestContext } from '../common/request-context';
import { Attempt } from './attempt.entity';
import { AttemptProgress } from './attempt-progress.type';
import { SendingService, type SendingDeps } from './sending.service';

@Resolver()
export class SendingResolver {
  constructor(private readonly deps: SendingDeps) {}

  @Mutation(() => Attempt, {
    description:
      'Sends your mailing now: opens a run to every recipient who has not received it yet and has not unsubscribed. CONFLICT while it is disabled, already sending, finished or past its end.',
  })
  sendMailingNow(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).sendNow(actorOf(ctx), id);
  }

  @Mutation(() => Attempt, {
    description:
      'Sends again to the recipients whose delivery failed in this attempt (and who have not received the mailing since), as a new run. CONFLICT when none is left or the mailing may not send now.',
  })
  retryFailedDeliveries(@Arg('attemptId', () => ID) attemptId: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).retryFailed(actorOf(ctx), attemptId);
  }

  @Query(() => AttemptProgress, { description: 'Live counts of a run (an Attempt).' })
  attemptProgress(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).attemptProgress(actorOf(ctx), id);
  }

  @Query(() => AttemptProgress, { nullable: true, description: 'Live counts of the latest run of a mailing; null before its first run.' })
  mailingProgress(@Arg('mailingId', () => ID) mailingId: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).mailingProgress(actorOf(ctx), mailingId);
  }

  private service(ctx: RequestContext) {
    return new SendingService(ctx.em, this.deps);
  }
}
