import { Field, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Who messages are from: the server’s address, and the domains a message may use for its own.' })
export class MessageSender {
  @Field(() => String, { description: 'The From address of every message that has none of its own (MAIL_FROM).' })
  address!: string;

  @Field(() => [String], { description: 'Domains a message’s own From address may be in (MAIL_FROM_DOMAINS); empty: only the server’s address.' })
  allowedDomains!: string[];
}
