import { isAdmin, isStaff } from '../common/access-rules';

export const userPermissions = {
  Query: { users: isStaff, user: isStaff },
  Mutation: {
    createUser: isAdmin,
    updateUser: isAdmin,
    deleteUser: isAdmin,
    blockUser: isStaff,
    unblockUser: isStaff,
  },
};
