import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { actorOf, type RequestContext } from '../common/request-context';
import { Recipient } from './recipient.entity';
import { RecipientPage } from './recipient-page.type';
import { RecipientInput, RecipientListArgs, RecipientUpdateInput } from './recipient.inputs';
import { RecipientService } from './recipient.service';
import { MAX_IMPORT_ROWS } from '../rules';
import { RecipientImportResult, RecipientImportRow } from './recipient-import.types';

@Resolver(() => Recipient)
export class RecipientResolver {
  @Query(() => RecipientPage, { description: 'Your recipients (everyone’s for managers and admins).' })
  recipients(@Args(() => RecipientListArgs) args: RecipientListArgs, @Ctx() ctx: RequestContext) {
    return new RecipientService(ctx.em).list(actorOf(ctx), args);
  }

  @Query(() => Recipient)
  recipient(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return new RecipientService(ctx.em).get(actorOf(ctx), id);
  }

  @Mutation(() => Recipient)
  createRecipient(@Arg('input', () => RecipientInput) input: RecipientInput, @Ctx() ctx: RequestContext) {
    return new RecipientService(ctx.em).create(actorOf(ctx), input);
  }

  @Mutation(() => Recipient)
  updateRecipient(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => RecipientUpdateInput) input: RecipientUpdateInput,
    @Ctx() ctx: RequestContext,
  ) {
    return new RecipientService(ctx.em).update(actorOf(ctx), id, input);
  }

  @Mutation(() => RecipientImportResult, {
    description: `Adds or updates many of your recipients at once (1–${MAX_IMPORT_ROWS} rows per call), matched by email (trimmed, lower-cased): a new email is IMPORTED, a known one UPDATED with the row’s fullName and comment. A row that breaks createRecipient’s rules, or repeats an email of an earlier row, is SKIPPED with field and reason; the other rows still go in.`,
  })
  importRecipients(@Arg('rows', () => [RecipientImportRow], { validate: false }) rows: RecipientImportRow[], @Ctx() ctx: RequestContext) {
    return new RecipientService(ctx.em).import(actorOf(ctx), rows);
  }

  @Mutation(() => ID, { description: 'Deletes the recipient and removes it from mailings; returns its id.' })
  deleteRecipient(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext) {
    return new RecipientService(ctx.em).delete(actorOf(ctx), id);
  }
}
