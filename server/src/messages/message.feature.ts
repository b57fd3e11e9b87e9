import { cacheRule, ownerColumn, type Feature } from '../common/feature';
import { Message } from './message.entity';
import { messagePermissions } from './message.permissions';
import { MessageResolver, type MessageDeps } from './message.resolver';

export const messageFeature = {
  entities: [Message],
  resolvers: [MessageResolver],
  permissions: messagePermissions,
  cacheRules: [cacheRule(Message, ownerColumn('messages'))],
  answerFields: {
    Message: ['id', 'createdAt', 'updatedAt', 'subject', 'body', 'format', 'plainText', 'fromName', 'fromAddress', 'replyTo', 'owner'],
  },
} satisfies Feature<MessageDeps>;
