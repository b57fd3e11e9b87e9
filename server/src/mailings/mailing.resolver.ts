import { Reference } from '@mikro-orm/core';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, PageType } from '../common/pagination';
import { actorOf, type RequestContext } from '../common/request-context';
import { Message } from '../messages/message.entity';
import { Recipient } from '../recipients/recipient.entity';
import { RecipientPage } from '../recipients/recipient-page.type';
import { User } from '../users/user.entity';
import { Mailing } from './mailing.entity';
import { MailingInput, MailingPageArgs, MailingRecipientsArgs, MailingUpdateInput } from './mailing.inputs';
import { recipientPageLoader } from './mailing.loaders';
import { editableFields } from './mailing.rules';
import { MailingService, type MailingDeps } from './mailing.service';

const MailingPage = PageType(Mailing);

@Resolver(() => Mailing)
export class MailingResolver {
  constructor(private readonly deps: MailingDeps) {}

  @Query(() => MailingPage, { description: 'Your mailings (everyone’s for managers and admins), newest first.' })
  mailings(@Args(() => MailingPageArgs) page: MailingPageArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).list(actorOf(ctx), page);
  }

  @Query(() => Mailing)
  mailing(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).get(actorOf(ctx), id);
  }

  @Mutation(() => Mailing, { description: 'Saves the mailing and plans its sending.' })
  createMailing(@Arg('input', () => MailingInput) input: MailingInput, @Ctx() ctx: RequestContext) {
    return this.service(ctx).create(actorOf(ctx), input);
  }

  @Mutation(() => Mailing, { description: 'What may change depends on the status: see Mailing.editableFields.' })
  updateMailing(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => MailingUpdateInput) input: MailingUpdateInput,
    @Ctx() ctx: RequestContext,
  ) {
    return this.service(ctx).update(actorOf(ctx), id, input);
  }

  @Mutation(() => ID, { description: 'Deletes the mailing and its reports, stops its sending; returns its id.' })
  deleteMailing(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).delete(actorOf(ctx), id);
  }

  @Mutation(() => Mailing, {
    description:
      'Pauses your mailing: answers once nothing more of it is being sent (what was already handed to the mail server still arrives). Its schedule and open run stay; it still finishes at its end. CONFLICT once finished.',
  })
  pauseMailing(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).setPaused(actorOf(ctx), id, true);
  }

  @Mutation(() => Mailing, {
    description: 'Resumes your paused mailing: its open run goes on where it stopped (nobody gets it twice), or it starts at its start time.',
  })
  resumeMailing(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).setPaused(actorOf(ctx), id, false);
  }

  @Mutation(() => Mailing, { description: 'Managers and admins: switches a mailing off; nothing is sent until it is enabled.' })
  disableMailing(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).setDisabled(actorOf(ctx), id, true);
  }

  @Mutation(() => Mailing, { description: 'Managers and admins: switches a disabled mailing back on.' })
  enableMailing(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).setDisabled(actorOf(ctx), id, false);
  }

  @FieldResolver(() => Message)
  message(@Root() mailing: Mailing) {
    return Reference.create(mailing.message).loadOrFail();
  }

  @FieldResolver(() => [Recipient], {
    description: 'Sorted by email, a window at a time (as recipientPage without its total and search).',
    deprecationReason: 'Use recipientPage: a mailing can have tens of thousands of recipients.',
  })
  async recipients(@Root() mailing: Mailing, @Args(() => MailingRecipientsArgs) { offset, limit }: MailingRecipientsArgs, @Ctx() ctx: RequestContext) {
    return (await recipientPageLoader(ctx, { offset, limit }).load(mailing.id)).items;
  }

  @FieldResolver(() => RecipientPage, {
    description: 'The mailing’s own recipients, a page at a time, sorted by email; search matches email and full name.',
  })
  recipientPage(@Root() mailing: Mailing, @Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext) {
    return recipientPageLoader(ctx, page).load(mailing.id);
  }

  @FieldResolver(() => Int)
  recipientCount(@Root() mailing: Mailing) {
    return mailing.recipientCount;
  }

  @FieldResolver(() => User)
  owner(@Root() mailing: Mailing) {
    return Reference.create(mailing.owner).loadOrFail();
  }

  @FieldResolver(() => [String], {
    description: 'The input fields updateMailing accepts changes to in the current status (none once FINISHED).',
  })
  editableFields(@Root() mailing: Mailing) {
    return editableFields(mailing);
  }

  private service(ctx: RequestContext) {
    return new MailingService(ctx.em, this.deps);
  }
}
