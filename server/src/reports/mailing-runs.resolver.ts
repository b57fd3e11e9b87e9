import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { WindowArgs } from '../common/pagination';
import { Mailing } from '../mailings/mailing.entity';
import { AttemptProgress } from '../sending/attempt-progress.type';
import { attemptPageLoader, progressLoader } from './mailing-runs.loaders';
import { AttemptPage } from './report.types';

/** What a mailing's runs look like, on the Mailing type (batched: a page of mailings costs a constant number of queries). */
@Resolver(() => Mailing)
export class MailingRunsResolver {
  @FieldResolver(() => AttemptProgress, {
    nullable: true,
    description: 'Live counts of the latest run (as mailingProgress); null before the first run.',
  })
  progress(@Root() mailing: Mailing, @Ctx() ctx: RequestContext) {
    return progressLoader(ctx).load(mailing.id);
  }

  @FieldResolver(() => AttemptPage, { description: 'The mailing’s runs, newest first.' })
  attempts(@Root() mailing: Mailing, @Args(() => WindowArgs) window: WindowArgs, @Ctx() ctx: RequestContext) {
    return attemptPageLoader(ctx, window).load(mailing.id);
  }
}
