import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum RecipientImportOutcome {
  IMPORTED = 'IMPORTED',
  UPDATED = 'UPDATED',
  SKIPPED = 'SKIPPED',
}
registerEnumType(RecipientImportOutcome, {
  name: 'RecipientImportOutcome',
  description: 'IMPORTED: a new recipient; UPDATED: an existing one (same email) took the row’s name and comment; SKIPPED: see field and reason.',
});

/** Not validated as a whole: each row is checked on its own, and a bad one is skipped, not an error of the call. */
@InputType({ description: 'One row of an import; validated like createRecipient’s input.' })
export class RecipientImportRow {
  @Field(() => String)
  email!: string;

  @Field(() => String, { defaultValue: '' })
  fullName: string = '';

  @Field(() => String, { defaultValue: '' })
  comment: string = '';
}

@ObjectType({ description: 'What became of one row of an import.' })
export class RecipientImportRowResult {
  @Field(() => Int, { description: 'The 0-based position of the row in the call’s rows.' })
  index!: number;

  @Field(() => String, { description: 'The email as given in the row.' })
  email!: string;

  @Field(() => RecipientImportOutcome)
  outcome!: RecipientImportOutcome;

  @Field(() => ID, { nullable: true, description: 'The recipient created or updated; null when SKIPPED.' })
  recipientId?: string | null;

  @Field(() => String, { nullable: true, description: 'SKIPPED: the row’s field at fault (email, fullName, comment).' })
  field?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'SKIPPED: why, e.g. "Enter a valid email address.", or "Duplicate of row 3" naming the index of the earlier row with that email.',
  })
  reason?: string | null;
}

@ObjectType({ description: 'The outcome of an importRecipients call: totals and one result per row, in row order.' })
export class RecipientImportResult {
  @Field(() => Int)
  imported!: number;

  @Field(() => Int)
  updated!: number;

  @Field(() => Int)
  skipped!: number;

  @Field(() => [RecipientImportRowResult])
  rows!: RecipientImportRowResult[];
}
