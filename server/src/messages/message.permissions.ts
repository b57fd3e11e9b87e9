import { isAuthenticated, isUser } from '../common/access-rules';

export const messagePermissions = {
  Query: { messages: isAuthenticated, message: isAuthenticated, messageSender: isAuthenticated },
  Mutation: { createMessage: isUser, updateMessage: isUser, deleteMessage: isUser },
};
