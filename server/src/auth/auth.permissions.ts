import { allow } from 'graphql-shield';
import { isAuthenticated } from '../common/access-rules';

export const authPermissions = {
  Query: { me: allow },
  Mutation: {
    register: allow,
    verifyEmail: allow,
    resendVerification: allow,
    login: allow,
    requestPasswordReset: allow,
    resetPassword: allow,
    logout: isAuthenticated,
    updateProfile: isAuthenticated,
    changePassword: isAuthenticated,
  },
};
