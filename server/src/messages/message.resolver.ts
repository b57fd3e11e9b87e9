import { Reference } from '@mikro-orm/core';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Config } from '../config';
import { PageArgs, PageType } from '../common/pagination';
import { actorOf, type RequestContext } from '../common/request-context';
import { User } from '../users/user.entity';
import { Message } from './message.entity';
import { MessageInput, MessageUpdateInput } from './message.inputs';
import { MessageSender } from './message-sender.type';
import { MessageService, type MessageUsage } from './message.service';
import { plainTextOf } from './message-text';

const MessagePage = PageType(Message);

export interface MessageDeps {
  messageUsage: MessageUsage;
  config: Pick<Config, 'SENDER'>;
}

@Resolver(() => Message)
export class MessageResolver {
  constructor(private readonly deps: MessageDeps) {}

  @Query(() => MessagePage, { description: 'Your messages (everyone’s for managers and admins), newest first.' })
  messages(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: RequestContext) {
    return this.service(ctx).list(actorOf(ctx), page);
  }

  @Query(() => Message)
  message(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).get(actorOf(ctx), id);
  }

  @Query(() => MessageSender, { description: 'Who messages are from, and which From addresses a message may have.' })
  messageSender(): MessageSender {
    const { address, allowedDomains } = this.deps.config.SENDER;
    return { address, allowedDomains };
  }

  @Mutation(() => Message)
  createMessage(@Arg('input', () => MessageInput) input: MessageInput, @Ctx() ctx: RequestContext) {
    return this.service(ctx).create(actorOf(ctx), input);
  }

  @Mutation(() => Message)
  updateMessage(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => MessageUpdateInput) input: MessageUpdateInput,
    @Ctx() ctx: RequestContext,
  ) {
    return this.service(ctx).update(actorOf(ctx), id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a message no mailing uses; returns its id.' })
  deleteMessage(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return this.service(ctx).delete(actorOf(ctx), id);
  }

  @FieldResolver(() => String, { description: 'The body as plain text: the body itself, or the text part made from it when it is HTML (placeholders not filled in).' })
  plainText(@Root() message: Message) {
    return plainTextOf(message.body, message.format);
  }

  @FieldResolver(() => User)
  owner(@Root() message: Message) {
    return Reference.create(message.owner).loadOrFail();
  }

  private service(ctx: RequestContext) {
    return new MessageService(ctx.em, this.deps.messageUsage, this.deps.config.SENDER);
  }
}
