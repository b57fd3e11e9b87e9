import { isAuthenticated, isUser } from '../common/access-rules';

export const recipientPermissions = {
  Query: { recipients: isAuthenticated, recipient: isAuthenticated },
  Mutation: { createRecipient: isUser, updateRecipient: isUser, deleteRecipient: isUser, importRecipients: isUser },
};
