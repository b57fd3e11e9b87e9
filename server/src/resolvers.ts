import type { NonEmptyArray } from 'type-graphql';
import { RecipientResolver } from './recipients/recipient.resolver';

/** Every resolver class in the schema. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [RecipientResolver];
