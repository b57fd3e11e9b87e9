import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { Message } from '../messages/message.entity';
import { mailingCountLoader } from './mailing.loaders';

/** What mailings add to a message: how many of them send it. */
@Resolver(() => Message)
export class MessageMailingsResolver {
  @FieldResolver(() => Int, { description: 'How many mailings send this message.' })
  mailingCount(@Root() message: Message, @Ctx() ctx: RequestContext) {
    return mailingCountLoader(ctx).load(message.id);
  }
}
