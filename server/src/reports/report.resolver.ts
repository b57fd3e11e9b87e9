import { Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import type { AppCache } from '../cache/app-cache';
import { actorOf, type RequestContext } from '../common/request-context';
import { Attempt } from '../sending/attempt.entity';
import { AttemptDeliveriesArgs, MailingReportArgs, UserStatsArgs } from './report.args';
import { attemptsOfMailing } from './report.loaders';
import { ReportService } from './report.service';
import { DeliveryPage, MailingReport, MailingReportPage, UserStatsPage } from './report.types';

type Count = 'sentCount' | 'failedCount' | 'uncertainCount' | 'skippedCount';

export interface ReportDeps {
  cache: AppCache;
}

@Resolver(() => MailingReport)
export class ReportResolver {
  constructor(private readonly deps: ReportDeps) {}

  @Query(() => MailingReportPage, {
    description: 'Mailings that have been carried out, with their attempts (yours; everyone’s for managers and admins).',
  })
  mailingReports(@Args(() => MailingReportArgs) args: MailingReportArgs, @Ctx() ctx: RequestContext) {
    return new ReportService(ctx.em, this.deps.cache).mailingReports(actorOf(ctx), args);
  }

  @Query(() => DeliveryPage, { description: 'Who did and did not get the mail in one attempt, with the answer.' })
  async attemptDeliveries(@Args(() => AttemptDeliveriesArgs) args: AttemptDeliveriesArgs, @Ctx() ctx: RequestContext) {
    const { page, open } = await new ReportService(ctx.em, this.deps.cache).attemptDeliveries(actorOf(ctx), args);
    if (open) ctx.liveData = true;
    return page;
  }

  @Query(() => UserStatsPage, {
    description: 'Attempts and messages sent per user: every user for managers and admins, your own row for a user.',
  })
  userStats(@Args(() => UserStatsArgs) args: UserStatsArgs, @Ctx() ctx: RequestContext) {
    return new ReportService(ctx.em, this.deps.cache).userStats(actorOf(ctx), args);
  }

  @FieldResolver(() => [Attempt], { description: 'The matching attempts, newest first.' })
  attempts(@Root() report: MailingReport, @Ctx() ctx: RequestContext) {
    return attemptsOfMailing(ctx, report.filter).load(report.mailing.id);
  }

  @FieldResolver(() => Int, { description: 'How many attempts match.' })
  async attemptCount(@Root() report: MailingReport, @Ctx() ctx: RequestContext) {
    return (await attemptsOfMailing(ctx, report.filter).load(report.mailing.id)).length;
  }

  @FieldResolver(() => Int, { description: 'Messages sent over the matching attempts.' })
  sentCount(@Root() report: MailingReport, @Ctx() ctx: RequestContext) {
    return sum(ctx, report, 'sentCount');
  }

  @FieldResolver(() => Int, { description: 'Messages that failed over the matching attempts.' })
  failedCount(@Root() report: MailingReport, @Ctx() ctx: RequestContext) {
    return sum(ctx, report, 'failedCount');
  }

  @FieldResolver(() => Int, { description: 'Messages that may or may not have arrived over the matching attempts.' })
  uncertainCount(@Root() report: MailingReport, @Ctx() ctx: RequestContext) {
    return sum(ctx, report, 'uncertainCount');
  }

  @FieldResolver(() => Int, { description: 'Messages not sent over the matching attempts: the recipient unsubscribed or was deleted.' })
  skippedCount(@Root() report: MailingReport, @Ctx() ctx: RequestContext) {
    return sum(ctx, report, 'skippedCount');
  }
}

async function sum(ctx: RequestContext, report: MailingReport, count: Count): Promise<number> {
  const attempts = await attemptsOfMailing(ctx, report.filter).load(report.mailing.id);
  return attempts.reduce((total, attempt) => total + attempt[count], 0);
}
