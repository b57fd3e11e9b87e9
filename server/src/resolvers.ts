import type { NonEmptyArray } from 'type-graphql';
import { RecipientResolver } from './recipients/recipient.resolver';
import { MessageResolver } from './messages/message.resolver';
import { MailingResolver } from './mailings/mailing.resolver';
import { AuthResolver } from './auth/auth.resolver';
import { UserResolver } from './users/user.resolver';
import { HomeResolver } from './home/home.resolver';
import { ReportResolver } from './reports/report.resolver';
import { SendingResolver } from './sending/sending.resolver';

/** Every resolver class in the schema. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const resolvers: NonEmptyArray<Function> = [RecipientResolver, AuthResolver, UserResolver, MessageResolver, MailingResolver, HomeResolver, ReportResolver, SendingResolver];
