import { isAuthenticated, isStaff, isUser } from '../common/access-rules';

export const mailingPermissions = {
  Query: { mailings: isAuthenticated, mailing: isAuthenticated },
  Mutation: {
    createMailing: isUser,
    updateMailing: isUser,
    deleteMailing: isUser,
    pauseMailing: isUser,
    resumeMailing: isUser,
    disableMailing: isStaff,
    enableMailing: isStaff,
  },
};
