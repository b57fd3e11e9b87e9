import { isAuthenticated, isUser } from '../common/access-rules';

export const messagePermissions = {
  Query: { messages: isAuthenticated, message: isAuthenticated },
  Mutation: { createMessage: isUser, updateMessage: isUser, deleteMessage: isUser },
};
