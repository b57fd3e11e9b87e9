import { Reference } from '@mikro-orm/core';
import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { PageArgs, PageType } from '../common/pagination';
import { mailingCountLoader } from '../mailings/mailing.loaders';
import { User } from '../users/user.entity';
import { Message } from './message.entity';
import { MessageInput, MessageUpdateInput } from './message.inputs';
import { MessageService } from './message.service';

const MessagePage = PageType(Message);

@Resolver(() => Message)
export class MessageResolver {
  @Query(() => MessagePage, { description: 'Your messages (everyone’s for managers and admins), newest first.' })
  messages(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return new MessageService(ctx).list(page);
  }

  @Query(() => Message)
  message(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new MessageService(ctx).get(id);
  }

  @Mutation(() => Message)
  createMessage(@Arg('input', () => MessageInput) input: MessageInput, @Ctx() ctx: Context) {
    return new MessageService(ctx).create(input);
  }

  @Mutation(() => Message)
  updateMessage(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => MessageUpdateInput) input: MessageUpdateInput,
    @Ctx() ctx: Context,
  ) {
    return new MessageService(ctx).update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a message no mailing uses; returns its id.' })
  deleteMessage(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new MessageService(ctx).delete(id);
  }

  @FieldResolver(() => Int, { description: 'How many mailings send this message.' })
  mailingCount(@Root() message: Message, @Ctx() ctx: Context) {
    return mailingCountLoader(ctx).load(message.id);
  }

  @FieldResolver(() => User)
  owner(@Root() message: Message) {
    return Reference.create(message.owner).loadOrFail();
  }
}
