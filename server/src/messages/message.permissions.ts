import { isAuthenticated, isUser } from '../auth/rules';

export const messagePermissions = {
  Query: { messages: isAuthenticated, message: isAuthenticated },
  Mutation: { createMessage: isUser, updateMessage: isUser, deleteMessage: isUser },
};
