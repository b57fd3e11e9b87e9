import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../context';
import { PageArgs, PageType } from '../common/pagination';
import { Recipient } from './recipient.entity';
import { RecipientInput, RecipientUpdateInput } from './recipient.inputs';
import { RecipientService } from './recipient.service';

const RecipientPage = PageType(Recipient);

@Resolver(() => Recipient)
export class RecipientResolver {
  @Query(() => RecipientPage, { description: 'Your recipients (everyone’s for managers and admins).' })
  recipients(@Args(() => PageArgs) page: PageArgs, @Ctx() ctx: Context) {
    return new RecipientService(ctx).list(page);
  }

  @Query(() => Recipient)
  recipient(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new RecipientService(ctx).get(id);
  }

  @Mutation(() => Recipient)
  createRecipient(@Arg('input', () => RecipientInput) input: RecipientInput, @Ctx() ctx: Context) {
    return new RecipientService(ctx).create(input);
  }

  @Mutation(() => Recipient)
  updateRecipient(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => RecipientUpdateInput) input: RecipientUpdateInput,
    @Ctx() ctx: Context,
  ) {
    return new RecipientService(ctx).update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes the recipient and removes it from mailings; returns its id.' })
  deleteRecipient(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return new RecipientService(ctx).delete(id);
  }
}
